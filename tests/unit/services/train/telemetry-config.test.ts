// --telemetry-every / telemetry_every: flag and run.yaml key, default off, errors, and the job param (absent when off).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainStartInput } from '../../../../src-main/common/train';
import { resolveTrainConfig, trainFlagOptions } from '../../../../src-main/services/train';
import { issuesOf } from './config-issues';
import { tinyRun } from './tiny-run';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-telemetry-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const base = { model: 'm', data: 'd.jsonl' };
const resolve = (flags: Record<string, string | boolean>) => resolveTrainConfig({ flags: { ...base, ...flags }, defaultThreads: 2, cwd: work });

describe('telemetry_every', () => {
  it('is a --telemetry-every flag taking a value and a run.yaml key; default 0 (off)', () => {
    expect(trainFlagOptions()).toMatchObject({ 'telemetry-every': { type: 'string' } });
    expect(resolve({}).telemetry_every).toBe(0);
    expect(resolve({ 'telemetry-every': '10' }).telemetry_every).toBe(10);
    const file = join(work, 'run.yaml');
    writeFileSync(file, 'model: m\ndata: d.jsonl\ntelemetry_every: 5\n');
    expect(resolveTrainConfig({ configFile: file, cwd: work }).telemetry_every).toBe(5);
    expect(resolveTrainConfig({ configFile: file, cwd: work, flags: { 'telemetry-every': '2' } }).telemetry_every).toBe(2);
    expect(TrainStartInput.safeParse({ ...base, telemetry_every: 3 }).success).toBe(true);
  });

  it('refuses negative or fractional values, naming the key', () => {
    for (const bad of ['-1', '1.5', 'often']) {
      expect(issuesOf(() => resolve({ 'telemetry-every': bad }))).toEqual([
        `--telemetry-every: expected an integer ≥ 0 (0 = off): range telemetry every N steps into telemetry.jsonl, got ${JSON.stringify(bad === 'often' ? bad : Number(bad))}`,
      ]);
    }
  });

  describe('job params', () => {
    const { prepare } = tinyRun(work);

    it('carries telemetryEvery only when on, so runs without it keep their params and resume hash', async () => {
      expect((await prepare('on', { 'telemetry-every': '2' })).params.telemetryEvery).toBe(2);
      expect((await prepare('off', {})).params).not.toHaveProperty('telemetryEvery');
      expect((await prepare('zero', { 'telemetry-every': '0' })).params).not.toHaveProperty('telemetryEvery');
    });
  });
});
