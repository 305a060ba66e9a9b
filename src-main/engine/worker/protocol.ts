// What the engine host's main thread and its job thread share: the start data, the stop flag, the messages back.
import { isMainThread, parentPort } from 'node:worker_threads';
import type { FromEngine } from '../../common/engine-protocol';
import type { JobKind } from '../../common/jobs';
import type { JobOutcome, StopReason } from '../jobs/types';

/** Handed to the job thread as workerData; everything but the flag is plain data (structured clone). */
export interface JobThreadData {
  jobId: string;
  kind: JobKind;
  params: Record<string, unknown>;
  runDir: string | null;
  /** One Int32 holding a StopCode; shared memory, so the job sees it while its own event loop is busy. */
  stopFlag: SharedArrayBuffer;
}

/** job thread → host thread, in the order the job produced them (one MessagePort keeps the order). */
export type FromJobThread =
  | { type: 'emit'; msg: FromEngine }
  | { type: 'outcome'; outcome: JobOutcome }
  /** Die as a native crash would (SIGABRT), after relaying what the job emitted before; see abortProcess(). */
  | { type: 'abort' };

const NONE = 0;
const CANCEL = 1;
const PARENT_GONE = 2;

export function newStopFlag(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/**
 * Written by the host thread. A parent that is gone outranks a cancel (the job must stop even if it ignores cancels),
 * and a cancel never downgrades it; the same order the host kept before the job moved to a thread.
 */
export function requestStop(flag: SharedArrayBuffer, reason: StopReason): void {
  const cell = new Int32Array(flag);
  if (reason === 'parent-gone') Atomics.store(cell, 0, PARENT_GONE);
  else Atomics.compareExchange(cell, 0, NONE, CANCEL);
}

/** Read by the job thread at each safe point; Atomics.load, so no message has to be delivered first. */
export function readStop(flag: SharedArrayBuffer): StopReason | null {
  const code = Atomics.load(new Int32Array(flag), 0);
  return code === PARENT_GONE ? 'parent-gone' : code === CANCEL ? 'cancel' : null;
}

/**
 * Kills the engine process with SIGABRT, as a native crash does (the self-test's crashAtStep). Off the main thread
 * process.abort() is refused, and a raw SIGABRT from here could overtake the messages the host has not relayed yet;
 * so the host thread aborts for us, after those messages (the port keeps their order). This thread waits meanwhile.
 */
export function abortProcess(): never {
  if (isMainThread || !parentPort) process.abort();
  parentPort.postMessage({ type: 'abort' } satisfies FromJobThread);
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
