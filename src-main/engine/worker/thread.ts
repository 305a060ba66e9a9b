// Host side of the job thread: finds its entry (bundle or TypeScript source), starts it, relays its messages, stops it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromEngine } from '../../common/engine-protocol';
import type { JobOutcome, StopReason } from '../jobs/types';
import { newStopFlag, requestStop, type FromJobThread, type JobThreadData } from './protocol';

export interface JobThread {
  /** Settles once: the job's outcome, or rejects with its uncaught error (or an early exit of the thread). */
  readonly outcome: Promise<JobOutcome>;
  /** Seen by the job at its next safe point, even while its own event loop is blocked. */
  stop(reason: StopReason): void;
}

export interface JobThreadEntry {
  /** A file to run directly (the bundle), or a TypeScript source that needs tsx registered in the thread first. */
  path: string;
  typescript: boolean;
}

/**
 * Resolves the job thread's entry from the host's own module URL: `engine-worker.js` beside `engine-host.js` in a
 * build, `worker/entry.ts` beside `host.ts` from source. The host is a bundle entry, so its URL is its real file.
 */
export function resolveJobThreadEntry(hostUrl: string): JobThreadEntry {
  const hostPath = fileURLToPath(hostUrl);
  const here = dirname(hostPath);
  if (hostPath.endsWith('.ts')) return { path: join(here, 'worker', 'entry.ts'), typescript: true };
  const built = join(here, 'engine-worker.js');
  if (!existsSync(built)) throw new Error(`Cannot find the engine job thread: ${built} is missing from the build.`);
  return { path: built, typescript: false };
}

function spawn(entry: JobThreadEntry, data: JobThreadData): Worker {
  if (!entry.typescript) return new Worker(entry.path, { workerData: data });
  // The host runs under `--import tsx` and workers inherit that flag, but tsx 4.23 registers its hooks on the main
  // thread only on Node before 22.22.3 / 24.11.1 (measured on 20.20: the thread fails on `.ts`). So we register tsx's
  // ESM hooks here ourselves and drop the inherited flag, so Nodes where tsx does register in workers do not get it twice.
  const tsx = import.meta.resolve('tsx/esm/api');
  const target = pathToFileURL(entry.path).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`;
  return new Worker(boot, { eval: true, execArgv: [], workerData: data });
}

/** Starts the job in a worker thread; `emit` receives its progress/log/metrics/checkpoint messages in order. */
export function startJobThread(
  entry: JobThreadEntry, start: Omit<JobThreadData, 'stopFlag'>, emit: (msg: FromEngine) => void,
): JobThread {
  const stopFlag = newStopFlag();
  const worker = spawn(entry, { ...start, stopFlag });
  const outcome = new Promise<JobOutcome>((resolve, reject) => {
    worker.on('message', (m: FromJobThread) => {
      if (m.type === 'emit') emit(m.msg);
      else if (m.type === 'abort') process.abort();
      else resolve(m.outcome);
    });
    worker.on('messageerror', (err) => reject(err));
    worker.on('error', (err) => reject(err));
    // Node delivers every message the thread posted before 'exit', so an outcome has resolved by then if it was sent.
    worker.on('exit', (code) => reject(new Error(`the job thread ended (exit code ${code}) without reporting an outcome`)));
  });
  // Deliberately no terminate(): stopping a thread inside onnxruntime's run() aborts the whole process (DESIGN §1).
  return { outcome, stop: (reason) => requestStop(stopFlag, reason) };
}
