// Supervisor logic against a scripted fake engine: heartbeats, garbage, odd exits, shutdown; main must never throw.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { JobSupervisor } from '../../../src-main/jobs/supervisor';
import { EventHub } from '../../../src-main/services/api-dispatch';
import { openStore } from '../../../src-main/store';
import { FakeLauncher, FakeProcess, harnessPool, sleep, stateTrail } from './helpers';

const pool = harnessPool();
afterAll(() => pool.disposeAll());

const fast = { heartbeatTimeoutMs: 200, cancelGraceMs: 100 };

describe.concurrent('JobSupervisor (fake engine)', () => {
  it('kills a silent engine and fails the job with "engine stopped responding"', async ({ expect }) => {
    const launcher = new FakeLauncher();
    const h = await pool.make(launcher, fast);
    const job = await h.supervisor.start('selftest', { steps: 3 });
    expect(launcher.procs[0].sent[0]).toMatchObject({ type: 'start', jobId: job.id, kind: 'selftest', runDir: job.runDir });
    const ended = await h.supervisor.whenSettled(job.id);
    expect(ended).toMatchObject({ state: 'failed', reason: 'engine stopped responding' });
    expect(launcher.procs[0].kills).toContain('SIGKILL');
  });

  it('keeps an engine that beats its heart alive past the timeout', async ({ expect }) => {
    const launcher = new FakeLauncher();
    const h = await pool.make(launcher, fast);
    const job = await h.supervisor.start('selftest', { steps: 3 });
    const proc = launcher.procs[0];
    for (let i = 0; i < 8; i++) {
      proc.say({ type: 'heartbeat', at: Date.now() });
      await sleep(60);
    }
    expect((await h.supervisor.get(job.id))?.state).toBe('running');
    proc.say({ type: 'done', result: { ok: 1 } });
    proc.exit(0);
    expect((await h.supervisor.whenSettled(job.id))?.state).toBe('completed');
    expect(proc.kills).toEqual([]);
  });

  it('shrugs off invalid messages and a throwing listener, and the first outcome wins over a later exit code', async ({ expect }) => {
    const launcher = new FakeLauncher();
    const h = await pool.make(launcher, fast);
    h.hub.subscribe(() => { throw new Error('a broken front end'); });
    const job = await h.supervisor.start('selftest', { steps: 3 });
    const proc = launcher.procs[0];
    for (const junk of [null, 42, 'x', { type: 'progress', progress: 7 }, { type: 'nope' }, { type: 'metrics', step: 1.5, values: {} }]) {
      expect(() => proc.say(junk)).not.toThrow();
    }
    expect(h.events.filter((e) => e.name === 'job.log')).toHaveLength(6);
    proc.say({ type: 'done' });
    proc.exit(1, null);
    expect(await h.supervisor.whenSettled(job.id)).toMatchObject({ state: 'completed', reason: null });
  });

  it('names the exit code of an engine that exits without an outcome', async ({ expect }) => {
    const launcher = new FakeLauncher();
    const h = await pool.make(launcher, fast);
    const job = await h.supervisor.start('selftest', { steps: 3 });
    launcher.procs[0].exit(3);
    expect(await h.supervisor.whenSettled(job.id)).toMatchObject({ state: 'failed', reason: 'engine process exited with code 3' });
    expect(await stateTrail(h.store, job.id)).toEqual(['queued', 'running', 'failed']);
  });

  it('fails the job, not main, when the engine cannot be launched', async ({ expect }) => {
    const h = await pool.make({ launch: () => { throw new Error('no such file'); } }, fast);
    const job = await h.supervisor.start('selftest', { steps: 3 });
    expect(job).toMatchObject({ state: 'failed', reason: 'could not start the engine: no such file' });
  });

  it('journals progress at most once per interval but forwards every update', async ({ expect }) => {
    const launcher = new FakeLauncher();
    const h = await pool.make(launcher, { ...fast, progressJournalMs: 60_000 });
    const job = await h.supervisor.start('selftest', { steps: 3 });
    for (let i = 1; i <= 20; i++) launcher.procs[0].say({ type: 'progress', progress: i / 20, message: null, rate: null, etaSeconds: null });
    expect(h.progressOf(job.id)).toHaveLength(20);
    expect((await h.supervisor.get(job.id))?.progress).toBe(1);
    launcher.procs[0].say({ type: 'done' });
    launcher.procs[0].exit(0);
    await h.supervisor.whenSettled(job.id);
    expect((await h.store.jobs.events(job.id)).filter((e) => e.type === 'progress')).toHaveLength(1);
  });

  it('on shutdown stops engines and records them interrupted, not cancelled', async ({ expect }) => {
    const launcher = new FakeLauncher();
    const h = await pool.make(launcher, fast);
    const job = await h.supervisor.start('selftest', { steps: 3 });
    const proc = launcher.procs[0];
    const stopped = h.supervisor.shutdown();
    expect(proc.sent.at(-1)).toEqual({ type: 'cancel' });
    proc.say({ type: 'cancelled' });
    proc.exit(0);
    await stopped;
    expect(await h.store.jobs.get(job.id)).toMatchObject({ state: 'interrupted', reason: 'the app was closed while this job ran' });
    await expect(h.supervisor.start('selftest', {})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('reports, and survives, a store that fails under it', async ({ expect }) => {
    const store = await openStore(':memory:');
    const errors: unknown[] = [];
    const launcher = new FakeLauncher(() => new FakeProcess());
    const runsDir = mkdtempSync(join(tmpdir(), 'ftstudio-jobs-'));
    const supervisor = new JobSupervisor({ jobs: store.jobs, launcher, hub: new EventHub(), runsDir, onError: (e) => errors.push(e), ...fast });
    const job = await supervisor.start('selftest', { steps: 3 });
    const settled = supervisor.whenSettled(job.id);
    await store.close();
    launcher.procs[0].say({ type: 'progress', progress: 0.5, message: null, rate: null, etaSeconds: null });
    launcher.procs[0].say({ type: 'done' });
    launcher.procs[0].exit(0);
    expect((await settled)?.state).toBe('completed');
    expect(errors.length).toBeGreaterThan(0);
    rmSync(runsDir, { recursive: true, force: true });
  });

  it('cancel and resume refuse what they cannot do', async ({ expect }) => {
    const h = await pool.make(new FakeLauncher(), fast);
    await expect(h.supervisor.cancel('missing')).rejects.toMatchObject({ code: 'not-found' });
    await expect(h.supervisor.resume('missing')).rejects.toMatchObject({ code: 'not-found' });
    const job = await h.supervisor.start('selftest', { steps: 3 });
    await expect(h.supervisor.resume(job.id)).rejects.toMatchObject({ code: 'conflict' });
  });
});

// Blocks the event loop on purpose, so it must not share the loop with the concurrent tests above.
describe('JobSupervisor watchdog (fake engine)', () => {
  it('does not kill an engine for silence that was really main being blocked', async ({ expect }) => {
    const launcher = new FakeLauncher();
    const h = await pool.make(launcher, fast);
    const job = await h.supervisor.start('selftest', { steps: 3 });
    const proc = launcher.procs[0];
    proc.say({ type: 'heartbeat', at: Date.now() });
    const until = Date.now() + 400;
    while (Date.now() < until) { /* main's loop blocked past the 200 ms timeout */ }
    await sleep(60); // the watchdog's first tick after the block
    proc.say({ type: 'heartbeat', at: Date.now() }); // the engine's queued beat
    expect(proc.kills).toEqual([]);
    expect((await h.supervisor.get(job.id))?.state).toBe('running');
    proc.say({ type: 'done' });
    proc.exit(0);
  });
});
