// Cancel with real engine processes: a graceful stop at the next step, and a kill after the grace period.
import { afterAll, describe, it } from 'vitest';
import { CANCEL_GRACE_MS } from '../../../src-main/common/engine-protocol';
import { isAlive } from '../../../src-main/jobs/process-check';
import { harnessPool, stateTrail, until } from './helpers';

const pool = harnessPool();
afterAll(() => pool.disposeAll());

describe.concurrent('cancelling a job', () => {
  it('stops the engine gracefully well within 2 s and records cancelled', async ({ expect }) => {
    const h = await pool.make();
    const job = await h.supervisor.start('selftest', { steps: 1000, stepMs: 50 });
    await until(() => h.progressOf(job.id).length >= 2, 10_000, 'progress');

    const t0 = performance.now();
    const asked = await h.supervisor.cancel(job.id);
    expect(asked.state).toBe('running'); // cancel is a request; the engine answers at its next safe point
    const ended = await h.supervisor.whenSettled(job.id);
    const latencyMs = performance.now() - t0;
    console.log(JSON.stringify({ test: 'graceful cancel', latencyMs: Math.round(latencyMs) }));

    expect(latencyMs).toBeLessThan(2_000);
    expect(ended).toMatchObject({ state: 'cancelled', reason: 'cancelled on request', resumable: false });
    expect(ended!.progress).toBeLessThan(0.1);
    expect(isAlive(job.pid!)).toBe(false);
    const trail = (await h.store.jobs.events(job.id)).map((e) => e.type);
    expect(trail.indexOf('cancel-requested')).toBeLessThan(trail.indexOf('cancelled'));
    expect(await stateTrail(h.store, job.id)).toEqual(['queued', 'running', 'cancelled']);
  });

  it('kills an engine that ignores cancel after the grace period', async ({ expect }) => {
    const h = await pool.make();
    const job = await h.supervisor.start('selftest', { steps: 1000, stepMs: 50, ignoreCancel: true });
    await until(() => h.progressOf(job.id).length >= 1, 10_000, 'progress');

    const t0 = performance.now();
    await h.supervisor.cancel(job.id);
    const ended = await h.supervisor.whenSettled(job.id);
    const elapsedMs = performance.now() - t0;
    console.log(JSON.stringify({ test: 'kill after grace', elapsedMs: Math.round(elapsedMs), graceMs: CANCEL_GRACE_MS }));

    expect(elapsedMs).toBeGreaterThanOrEqual(CANCEL_GRACE_MS - 20);
    expect(elapsedMs).toBeLessThan(CANCEL_GRACE_MS + 1_500);
    expect(ended).toMatchObject({ state: 'cancelled', reason: 'killed after the grace period' });
    // it kept working through the grace period, proving it did ignore the cancel message
    expect(h.progressOf(job.id).length).toBeGreaterThan(10);
    expect(isAlive(job.pid!)).toBe(false);
    expect(await stateTrail(h.store, job.id)).toEqual(['queued', 'running', 'cancelled']);
  });
});
