// Real engine processes: a self-test job runs to completion, a native crash fails only the job, bad params launch nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { EngineProcess } from '../../../src-main/jobs/launcher';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { isAlive } from '../../../src-main/jobs/process-check';
import { harnessPool, stateTrail } from './helpers';

const pool = harnessPool();
afterAll(() => pool.disposeAll());

describe.concurrent('JobSupervisor with real engine processes', () => {
  it('streams increasing progress, completes, and journals queued → running → completed', async ({ expect }) => {
    const h = await pool.make();
    const started = await h.supervisor.start('selftest', { steps: 8, stepMs: 25 });
    expect(started.state).toBe('running');
    expect(started.pid).toBeGreaterThan(0);
    expect(started.runDir).toBe(join(h.dir, 'runs', started.id));

    const done = await h.supervisor.whenSettled(started.id);
    expect(done).toMatchObject({ state: 'completed', progress: 1, reason: null });

    const progress = h.progressOf(started.id);
    expect(progress.length).toBe(8);
    for (let i = 1; i < progress.length; i++) expect(progress[i].progress).toBeGreaterThan(progress[i - 1].progress);
    expect(progress.at(-1)).toMatchObject({ progress: 1, etaSeconds: 0 });
    expect(progress[0].rate).toBeGreaterThan(0);
    expect(h.events.filter((e) => e.name === 'job.metrics')).toHaveLength(8);

    expect(await stateTrail(h.store, started.id)).toEqual(['queued', 'running', 'completed']);
    expect(await h.store.jobs.get(started.id)).toMatchObject({ state: 'completed', progress: 1 });
    const steps = readFileSync(join(started.runDir!, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(isAlive(started.pid!)).toBe(false);
  });

  it('survives an engine that aborts (SIGABRT): the job fails with the signal as its reason', async ({ expect }) => {
    const h = await pool.make(new NodeLauncher({ stdio: 'ignore' })); // process.abort() prints a native stack trace
    // a healthy job runs beside the crashing one: main and its other engines carry on
    const [started, healthy] = await Promise.all([
      h.supervisor.start('selftest', { steps: 10, stepMs: 10, crashAtStep: 3 }),
      h.supervisor.start('selftest', { steps: 4, stepMs: 100 }),
    ]);
    const ended = await h.supervisor.whenSettled(started.id);
    expect(ended?.state).toBe('failed');
    expect(ended?.reason).toMatch(/SIGABRT/);
    expect(h.progressOf(started.id).map((p) => p.progress)).toEqual([0.1, 0.2]);
    expect(await stateTrail(h.store, started.id)).toEqual(['queued', 'running', 'failed']);
    expect(h.errors).toEqual([]);
    expect((await h.supervisor.whenSettled(healthy.id))?.state).toBe('completed');
  });

  it('rejects invalid parameters with invalid-input and launches nothing', async ({ expect }) => {
    const real = new NodeLauncher();
    const launched: EngineProcess[] = [];
    const h = await pool.make({ launch: (o) => { const p = real.launch(o); launched.push(p); return p; } });
    for (const params of [{ steps: 0 }, { steps: 'ten' }, { stepMs: -1 }, { steps: 3, crashAtStep: 1.5 }]) {
      await expect(h.supervisor.start('selftest', params)).rejects.toMatchObject({ name: 'ApiError', code: 'invalid-input' });
    }
    await expect(h.supervisor.start('nope' as never, {})).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(h.supervisor.start('selftest', { steps: 0 })).rejects.toThrow(/steps/);
    expect(launched).toHaveLength(0);
    expect(await h.supervisor.list()).toEqual([]);
  });
});
