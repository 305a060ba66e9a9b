// Steps that block the job's thread (as onnxruntime's run() does): heartbeats, cancel and parent loss still get through.
import { fork } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { FromEngine, ToEngine } from '../../../src-main/common/engine-protocol';
import { HEARTBEAT_MS } from '../../../src-main/common/engine-protocol';
import { NodeLauncher, resolveEngineEntry } from '../../../src-main/jobs/node-launcher';
import { harnessPool, stateTrail, until } from './helpers';

/** Longer than the short heartbeat timeout below, so an engine that blocks its IPC thread for a step is killed. */
const BLOCK_MS = 5_000;
/** Short, but above an engine's start-up time on a loaded 2-core machine (measured up to 3 s with 4 starting at once). */
const HEARTBEAT_TIMEOUT_MS = 4_000;

const pool = harnessPool();
afterAll(() => pool.disposeAll());

/** Runs one selftest job on a bare engine process and collects what it says. */
async function runBare(params: Record<string, unknown>) {
  const proc = new NodeLauncher().launch();
  const seen: FromEngine[] = [];
  const exited = new Promise<[number | null, string | null]>((done) => proc.onExit((code, signal) => done([code, signal])));
  proc.onMessage((msg) => seen.push(msg as FromEngine));
  proc.send({ type: 'start', jobId: 'bare', kind: 'selftest', params, runDir: null });
  return { seen, exit: await exited };
}

describe.concurrent('jobs whose steps block their thread, on a bare engine', () => {
  it('keeps the heartbeat going while a step blocks', async ({ expect }) => {
    const { seen, exit } = await runBare({ steps: 1, stepMs: 0, blockMs: BLOCK_MS });
    expect(exit).toEqual([0, null]);
    expect(seen.at(-1)).toMatchObject({ type: 'done' });
    // The engine's own send times, so a busy test process cannot blur them.
    const beats = seen.flatMap((m) => (m.type === 'heartbeat' ? [m.at] : []));
    const gaps = beats.slice(1).map((t, i) => t - beats[i]);
    console.log(JSON.stringify({ test: 'heartbeat gaps while blocking', blockMs: BLOCK_MS, beats: beats.length, maxGapMs: Math.max(...gaps) }));
    expect(beats.length).toBeGreaterThanOrEqual(Math.floor(BLOCK_MS / HEARTBEAT_MS));
    expect(Math.max(...gaps)).toBeLessThan(HEARTBEAT_MS * 1.5);
  });

  it('reports an uncaught error of the job as failed, with its message', async ({ expect }) => {
    const { seen, exit } = await runBare({ steps: 'ten' }); // the job itself rejects what main would have refused
    expect(exit).toEqual([1, null]);
    const last = seen.at(-1);
    expect(last?.type).toBe('failed');
    expect(last?.type === 'failed' && last.error).toMatch(/steps/);
  });

  it('exits on its own soon after main is gone, even in the middle of a blocking step', async ({ expect }) => {
    const entry = resolveEngineEntry();
    const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    const exited = new Promise<[number | null, string | null]>((done) => child.once('exit', (code, signal) => done([code, signal])));
    const types: string[] = [];
    child.on('message', (m) => types.push((m as FromEngine).type));
    child.send({ type: 'start', jobId: 'orphan', kind: 'selftest', params: { steps: 3, stepMs: 0, blockMs: 10_000 }, runDir: null } satisfies ToEngine);
    // Once the host is up it has the start message too; a moment later the job thread is inside its first 10 s block.
    await until(() => types.includes('heartbeat'), 10_000, 'the first heartbeat');
    await new Promise((done) => setTimeout(done, 1_500));
    const t0 = performance.now();
    child.disconnect();
    const [code, signal] = await exited;
    const elapsedMs = performance.now() - t0;
    console.log(JSON.stringify({ test: 'orphan during a blocking step', elapsedMs: Math.round(elapsedMs), code, signal }));
    expect(types).not.toContain('progress');
    // ORPHAN_EXIT_MS (3 s) later, not when the 10 s step would have ended; killed, since exit would wait for the step.
    expect(elapsedMs).toBeLessThan(5_000);
    expect(signal).toBe('SIGKILL');
  });
});

// One at a time: a short heartbeat timeout also bounds an engine's start-up, which slows down when many start at once.
describe('jobs whose steps block their thread, under a supervisor with a short heartbeat timeout', () => {
  it('completes a job whose every step outlasts the heartbeat timeout', async () => {
    const h = await pool.make(undefined, { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
    const job = await h.supervisor.start('selftest', { steps: 2, stepMs: 0, blockMs: BLOCK_MS });
    const ended = await h.supervisor.whenSettled(job.id);
    expect(ended).toMatchObject({ state: 'completed', progress: 1, reason: null });
    expect(h.progressOf(job.id).map((p) => p.progress)).toEqual([0.5, 1]);
    expect(await stateTrail(h.store, job.id)).toEqual(['queued', 'running', 'completed']);
    expect(h.errors).toEqual([]);
  });

  it('stops at the next safe point when cancelled during a blocking step (cancelled, not killed)', async () => {
    const h = await pool.make(undefined, { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS, cancelGraceMs: BLOCK_MS + 4_000 });
    const job = await h.supervisor.start('selftest', { steps: 1000, stepMs: 0, blockMs: BLOCK_MS });
    await until(() => h.progressOf(job.id).length >= 1, 15_000, 'the first step'); // step 2 is blocking now

    const t0 = performance.now();
    await h.supervisor.cancel(job.id);
    const ended = await h.supervisor.whenSettled(job.id);
    const latencyMs = performance.now() - t0;
    console.log(JSON.stringify({ test: 'cancel during a blocking step', blockMs: BLOCK_MS, latencyMs: Math.round(latencyMs) }));

    expect(ended).toMatchObject({ state: 'cancelled', reason: 'cancelled on request' });
    expect(latencyMs).toBeLessThan(BLOCK_MS + 1_500); // the rest of the step, then a prompt exit
    expect(h.progressOf(job.id).length).toBeLessThanOrEqual(2);
    expect(await stateTrail(h.store, job.id)).toEqual(['queued', 'running', 'cancelled']);
  });
});
