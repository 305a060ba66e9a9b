// main dies while a job runs: the orphaned engine exits by itself, reconcile marks the job resumable, resume finishes it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobMetricsEvent } from '../../../src-main/common/jobs';
import { isAlive } from '../../../src-main/jobs/process-check';
import { readLatestCheckpoint } from '../../../src-main/engine/jobs/run-folder';
import { makeHarness, stateTrail, until } from './helpers';

const fixture = fileURLToPath(new URL('./fixtures/main-with-job.ts', import.meta.url));
const STEPS = 40;
const STEP_MS = 30;

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-restart-'));
const toKill: number[] = [];
afterAll(() => {
  for (const pid of toKill) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('main restarted while a job ran', () => {
  it('reconciles the job as interrupted + resumable and resumes it from its checkpoint', async () => {
    const storePath = join(dir, 'studio.duckdb');
    const runsDir = join(dir, 'runs');

    // 1. a separate "main" starts a job and reports once the journal has a checkpoint
    const main = spawn(process.execPath, ['--import', 'tsx', fixture, storePath, runsDir, String(STEPS), String(STEP_MS)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    toKill.push(main.pid!);
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: main.stdout! }).once('line', resolve);
      main.once('exit', (code) => reject(new Error(`fixture main exited early (${code})`)));
    });
    const report = JSON.parse(line) as { jobId: string; enginePid: number; checkpoint: { step: number } };
    toKill.push(report.enginePid);
    expect(report.checkpoint.step).toBeGreaterThan(0);

    // 2. main dies hard; its engine notices the closed channel and exits on its own
    const mainExit = new Promise((done) => main.once('exit', done));
    main.kill('SIGKILL');
    await mainExit;
    await until(() => !isAlive(report.enginePid), 5_000, 'the orphaned engine to exit');

    // 3. a new main opens the same store
    const runDir = join(runsDir, report.jobId);
    const resumedFrom = readLatestCheckpoint(runDir)!.step;
    expect(resumedFrom).toBeGreaterThanOrEqual(report.checkpoint.step);
    expect(resumedFrom).toBeLessThan(STEPS);
    const next = await makeHarness(undefined, { runsDir }, storePath);
    try {
      const reconciled = await next.supervisor.reconcile();
      expect(reconciled.map((j) => j.id)).toEqual([report.jobId]);
      expect(await next.supervisor.get(report.jobId)).toMatchObject({
        state: 'interrupted', resumable: true, reason: 'the app stopped while this job ran',
      });
      expect((await next.store.jobs.events(report.jobId)).at(-1)?.payload).toMatchObject({ orphan: 'not-running' });

      // 4. resume: it continues after the checkpoint and completes
      const resumed = await next.supervisor.resume(report.jobId);
      expect(resumed.state).toBe('running');
      expect(resumed.pid).not.toBe(report.enginePid);
      const ended = await next.supervisor.whenSettled(report.jobId);
      expect(ended).toMatchObject({ state: 'completed', progress: 1, reason: null, resumable: false });

      const replayed = next.events.filter((e) => e.name === 'job.metrics').map((e) => (e.payload as JobMetricsEvent).step);
      expect(replayed[0]).toBe(resumedFrom + 1); // not from step 1
      const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1)); // each step exactly once
      expect(lines.filter((l) => l.pid === report.enginePid).map((l) => l.step))
        .toEqual(Array.from({ length: resumedFrom }, (_, i) => i + 1)); // the first engine's steps were kept
      expect(await stateTrail(next.store, report.jobId)).toEqual(['queued', 'running', 'interrupted', 'resumed', 'completed']);
    } finally {
      await next.dispose();
    }
  });
});
