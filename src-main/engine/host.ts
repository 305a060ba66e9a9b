// Entry of an engine process: talks to main over IPC, runs one job in a worker thread, beats a heartbeat, exits when done.
import { FromEngine, HEARTBEAT_MS, ToEngine } from '../common/engine-protocol';
import type { StopReason } from './jobs';
import { resolveJobThreadEntry, startJobThread, type JobThread } from './worker/thread';

/** An orphaned engine gets this long to reach a safe point before it exits anyway. */
const ORPHAN_EXIT_MS = 3_000;
/** Upper bound on waiting for the last message to leave; a dead channel must not keep us alive. */
const FLUSH_TIMEOUT_MS = 1_000;

interface Transport {
  send(msg: FromEngine): void;
  /** Resolves once everything sent so far has left the process, so exiting does not drop the final message. */
  flush(): Promise<void>;
  onMessage(cb: (raw: unknown) => void): void;
  onParentGone(cb: () => void): void;
}

/** The slice of Electron's ParentPort we use; typed here because the engine may not import electron. */
interface ParentPortLike {
  on(event: 'message', cb: (e: { data: unknown }) => void): unknown;
  postMessage(msg: unknown): void;
}

/** Both runtimes: when the parent dies we are re-parented, so a changed ppid means main is gone. */
function watchParent(cb: () => void): void {
  const ppid = process.ppid;
  setInterval(() => {
    if (process.ppid !== ppid) cb();
  }, HEARTBEAT_MS).unref();
}

function nodeTransport(): Transport {
  let last: Promise<void> = Promise.resolve();
  return {
    send(msg) {
      if (!process.connected || !process.send) return;
      last = new Promise((done) => {
        try {
          process.send!(msg, undefined, undefined, () => done());
        } catch {
          done(); // channel closed between the check and the send: main is gone, nobody to tell
        }
      });
    },
    flush: () => last,
    onMessage: (cb) => process.on('message', cb),
    onParentGone(cb) {
      process.on('disconnect', cb);
      watchParent(cb);
    },
  };
}

function electronTransport(port: ParentPortLike): Transport {
  return {
    send: (msg) => port.postMessage(msg),
    // postMessage has no completion callback; a short pause lets the IPC thread write it out.
    flush: () => new Promise((done) => setTimeout(done, 100)),
    onMessage: (cb) => port.on('message', (e) => cb(e.data)),
    // Electron tears a utility process down with its parent; the ppid watch covers a parent that died hard.
    onParentGone: watchParent,
  };
}

function pickTransport(): Transport | null {
  const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (port) return electronTransport(port);
  return process.send ? nodeTransport() : null;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function main(): void {
  const picked = pickTransport();
  if (!picked) {
    console.error('engine host: no IPC channel; this process must be started by the job supervisor.');
    process.exit(2);
  }
  const transport: Transport = picked;
  let stop: StopReason | null = null;
  let running = false;
  let exiting = false;
  /** The job's thread while it has not reported an outcome yet. */
  let thread: JobThread | null = null;

  const heartbeat = () => transport.send({ type: 'heartbeat', at: Date.now() });
  const beat = setInterval(heartbeat, HEARTBEAT_MS);
  heartbeat();

  async function finish(final: FromEngine | null, code: number): Promise<void> {
    if (exiting) return;
    exiting = true;
    clearInterval(beat);
    if (final) transport.send(final);
    await Promise.race([transport.flush(), new Promise((done) => setTimeout(done, FLUSH_TIMEOUT_MS))]);
    process.exit(code);
  }

  // The job runs in a worker thread because onnxruntime's run() blocks its thread for a whole step: on this thread it
  // would silence the heartbeat (main kills an engine after 10 s of silence) and hold cancel messages until the step ends.
  async function run(msg: Extract<ToEngine, { type: 'start' }>): Promise<void> {
    try {
      thread = startJobThread(
        resolveJobThreadEntry(import.meta.url),
        { jobId: msg.jobId, kind: msg.kind, params: msg.params, runDir: msg.runDir },
        (m) => transport.send(m),
      );
      const outcome = await thread.outcome.finally(() => { thread = null; });
      if (outcome.status === 'done') return finish({ type: 'done', result: outcome.result }, 0);
      if (stop === 'cancel') return finish({ type: 'cancelled' }, 0);
      if (stop === 'parent-gone') return finish(null, 0);
      return finish({ type: 'failed', error: 'the job stopped although nobody asked it to' }, 1);
    } catch (err) {
      return finish({ type: 'failed', error: describe(err) }, 1);
    }
  }

  function askToStop(reason: StopReason): void {
    if (reason === 'parent-gone') stop = reason;
    else stop ??= reason;
    thread?.stop(reason);
  }

  /**
   * process.exit() first joins the job thread, and inside onnxruntime's run() that waits out the step and then aborts
   * (measured: exit called 0.3 s into a 4 s run; the process lived until the run ended, then died of SIGABRT). An orphan
   * has nobody to report to and its run folder survives a kill, so while its job is still busy it is killed at once.
   */
  function exitOrphan(): void {
    if (thread) process.kill(process.pid, 'SIGKILL');
    process.exit(0);
  }

  transport.onMessage((raw) => {
    const parsed = ToEngine.safeParse(raw);
    if (!parsed.success) {
      transport.send({ type: 'log', level: 'warn', text: `engine ignored an invalid message: ${parsed.error.message}` });
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'cancel') {
      if (!running) void finish({ type: 'cancelled' }, 0);
      else askToStop('cancel'); // the job stops at its next safe point (or ignores it, and main kills us)
      return;
    }
    if (running) {
      transport.send({ type: 'log', level: 'warn', text: 'engine ignored a second start: one job per process' });
      return;
    }
    running = true;
    void run(msg);
  });

  transport.onParentGone(() => {
    askToStop('parent-gone');
    if (!running) void finish(null, 0);
    // The job normally returns within a step; this is the backstop. Its run folder stays consistent either way
    // (atomic checkpoints, JSONL trimmed on resume). The thread is never terminated: inside run() that aborts us.
    else setTimeout(exitOrphan, ORPHAN_EXIT_MS);
  });

  // A terminal's Ctrl+C signals the whole process group, engine included. Main decides: it sends a cancel message
  // (the job then checkpoints), and if main itself dies the parent watch above stops us. So SIGINT is not ours to act on.
  process.on('SIGINT', () => undefined);
  process.on('uncaughtException', (err) => void finish({ type: 'failed', error: describe(err) }, 1));
  process.on('unhandledRejection', (err) => void finish({ type: 'failed', error: describe(err) }, 1));
}

main();
