// Run-folder primitives (checkpoint, JSONL trim) and the orphan check that guards against pid reuse.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendJsonl, latestCheckpointPath, readLatestCheckpoint, trimJsonlAfterStep, writeLatestCheckpoint,
} from '../../../src-main/engine/jobs/run-folder';
import { jobKinds } from '../../../src-main/jobs/kinds';
import { jobTag } from '../../../src-main/jobs/launcher';
import { isAlive, isOurEngine, killOrphan } from '../../../src-main/jobs/process-check';
import { until } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-runfolder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run folder', () => {
  it('reads back the latest checkpoint and treats a corrupt one as absent', () => {
    const run = join(dir, 'a');
    expect(readLatestCheckpoint(run)).toBeNull();
    expect(jobKinds.selftest.canResume(run)).toBe(false);
    writeLatestCheckpoint(run, { step: 5 });
    expect(readLatestCheckpoint(run)).toMatchObject({ step: 5 });
    expect(jobKinds.selftest.canResume(run)).toBe(true);
    writeFileSync(latestCheckpointPath(run), '{"step": 5');
    expect(readLatestCheckpoint(run)).toBeNull();
  });

  it('trims metrics written after the checkpoint and a torn last line', () => {
    const path = join(dir, 'b', 'metrics.jsonl');
    for (let step = 1; step <= 7; step++) appendJsonl(path, { step, value: step });
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"step": 8, "val`);
    trimJsonlAfterStep(path, 5);
    expect(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('orphan check', () => {
  it('kills a process only when its command line carries the job tag', async () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isOurEngine(process.pid, 'job-1')).toBe(false);
    const keepAlive = ['-e', 'setInterval(() => {}, 1000)', '--'];
    const stranger = spawn(process.execPath, [...keepAlive, '--unrelated'], { stdio: 'ignore' });
    const ours = spawn(process.execPath, [...keepAlive, jobTag('job-1')], { stdio: 'ignore' });
    try {
      await until(() => isOurEngine(ours.pid!, 'job-1'), 5_000, 'the tagged process to start');
      expect(await killOrphan(stranger.pid!, 'job-1')).toBe('not-ours');
      expect(isAlive(stranger.pid!)).toBe(true);
      expect(await killOrphan(ours.pid!, 'job-1')).toBe('killed');
      expect(await killOrphan(ours.pid!, 'job-1')).toBe('not-running');
    } finally {
      stranger.kill('SIGKILL');
      ours.kill('SIGKILL');
    }
  });
});
