// Test harness for the job supervisor: a real store in a temp folder, a recording event hub, a fake engine process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FromEngine, ToEngine } from '../../../src-main/common/engine-protocol';
import type { EventName } from '../../../src-main/common/contract';
import type { JobProgressEvent } from '../../../src-main/common/jobs';
import type { EngineLauncher, EngineProcess, KillSignal } from '../../../src-main/jobs/launcher';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { JobSupervisor, type JobSupervisorOptions } from '../../../src-main/jobs/supervisor';
import { EventHub } from '../../../src-main/services/api-dispatch';
import { openStore, type Store } from '../../../src-main/store';

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export interface Harness {
  dir: string;
  store: Store;
  hub: EventHub;
  events: { name: EventName; payload: unknown }[];
  supervisor: JobSupervisor;
  errors: unknown[];
  progressOf(id: string): JobProgressEvent[];
  dispose(): Promise<void>;
}

export async function makeHarness(
  launcher: EngineLauncher = new NodeLauncher(),
  extra: Partial<JobSupervisorOptions> = {},
  storePath?: string,
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-jobs-'));
  const store = await openStore(storePath ?? join(dir, 'studio.duckdb'));
  const hub = new EventHub();
  const events: Harness['events'] = [];
  hub.subscribe((name, payload) => events.push({ name, payload }));
  const errors: unknown[] = [];
  const supervisor = new JobSupervisor({
    jobs: store.jobs, launcher, hub, runsDir: join(dir, 'runs'), onError: (err) => errors.push(err), ...extra,
  });
  return {
    dir, store, hub, events, supervisor, errors,
    progressOf: (id) => events.filter((e) => e.name === 'job.progress' && (e.payload as JobProgressEvent).id === id)
      .map((e) => e.payload as JobProgressEvent),
    async dispose() {
      await supervisor.shutdown();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Harnesses for concurrent tests: each test makes its own, afterAll disposes them all. */
export function harnessPool(): { make: typeof makeHarness; disposeAll(): Promise<void> } {
  const open: Harness[] = [];
  return {
    async make(...args) {
      const h = await makeHarness(...args);
      open.push(h);
      return h;
    },
    disposeAll: async () => { await Promise.all(open.splice(0).map((h) => h.dispose())); },
  };
}

/** Resolves when `test` holds, polling; rejects after `ms`. */
export async function until(test: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The state changes in a job's journal, in order. */
export async function stateTrail(store: Store, id: string): Promise<string[]> {
  const states = new Set(['queued', 'running', 'resumed', 'completed', 'failed', 'cancelled', 'interrupted']);
  return (await store.jobs.events(id)).map((e) => e.type).filter((t) => states.has(t));
}

/** An in-memory engine process: the test plays the engine by calling say()/exit(). */
export class FakeProcess implements EngineProcess {
  readonly sent: ToEngine[] = [];
  readonly kills: KillSignal[] = [];
  private messageCbs: ((msg: unknown) => void)[] = [];
  private exitCbs: ((code: number | null, signal: string | null) => void)[] = [];

  constructor(readonly pid: number | undefined = 999_999, private readonly diesOnKill = true) {}

  send(msg: ToEngine): void { this.sent.push(msg); }
  onMessage(cb: (msg: unknown) => void): void { this.messageCbs.push(cb); }
  onExit(cb: (code: number | null, signal: string | null) => void): void { this.exitCbs.push(cb); }
  kill(signal: KillSignal = 'SIGTERM'): void {
    this.kills.push(signal);
    if (this.diesOnKill) setImmediate(() => this.exit(null, signal));
  }

  say(msg: FromEngine | unknown): void { for (const cb of this.messageCbs) cb(msg); }
  exit(code: number | null, signal: string | null = null): void { for (const cb of this.exitCbs) cb(code, signal); }
}

export class FakeLauncher implements EngineLauncher {
  readonly procs: FakeProcess[] = [];
  constructor(private readonly make: () => FakeProcess = () => new FakeProcess()) {}
  launch(): EngineProcess {
    const proc = this.make();
    this.procs.push(proc);
    return proc;
  }
}
