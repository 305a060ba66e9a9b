// --precision / --loss-scale / --emulate: values, defaults, errors, fp8 and its recipe keys, job params, run.json and the fp32 resume hash.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainJobParams, TrainStartInput } from '../../../../src-main/common/train';
import { lossScaleConfig } from '../../../../src-main/engine/train/trainer';
import {
  precisionNotes, precisionParams, precisionRecord, readRunInfo, resolveTrainConfig, trainFlagOptions,
} from '../../../../src-main/services/train';
import { issuesOf } from './config-issues';
import { tinyRun } from './tiny-run';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-precision-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const base = { model: 'm', data: 'd.jsonl' };
const resolve = (flags: Record<string, string | boolean>) => resolveTrainConfig({ flags: { ...base, ...flags }, defaultThreads: 2, cwd: work });

describe('precision keys', () => {
  it('declares --precision and --loss-scale as values and --emulate as a bare flag', () => {
    expect(trainFlagOptions()).toMatchObject({ precision: { type: 'string' }, 'loss-scale': { type: 'string' }, emulate: { type: 'boolean' } });
  });

  it('defaults: fp32, loss scale dynamic for fp16 and none otherwise, not emulated', () => {
    expect(resolve({})).toMatchObject({ precision: 'fp32', loss_scale: 'none', emulate: false });
    expect(resolve({ precision: 'fp16' })).toMatchObject({ precision: 'fp16', loss_scale: 'dynamic' });
    expect(resolve({ precision: 'bf16' })).toMatchObject({ precision: 'bf16', loss_scale: 'none' });
  });

  it('reads dynamic, none and a number from flags and run.yaml (a quoted number too); the flag wins', () => {
    expect(resolve({ precision: 'fp16', 'loss-scale': 'none' }).loss_scale).toBe('none');
    expect(resolve({ precision: 'fp16', 'loss-scale': '1024', emulate: true })).toMatchObject({ loss_scale: 1024, emulate: true });
    const file = join(work, 'run.yaml');
    writeFileSync(file, 'model: m\ndata: d.jsonl\nprecision: fp16\nloss_scale: "65536"\nemulate: true\n');
    expect(resolveTrainConfig({ configFile: file, cwd: work })).toMatchObject({ precision: 'fp16', loss_scale: 65536, emulate: true });
    writeFileSync(file, 'model: m\ndata: d.jsonl\nprecision: bf16\nloss_scale: 128\n');
    expect(resolveTrainConfig({ configFile: file, cwd: work, flags: { precision: 'fp16', 'loss-scale': 'dynamic' } })).toMatchObject({ precision: 'fp16', loss_scale: 'dynamic' });
  });

  it('rejects bad values with the key and what it expects', () => {
    expect(issuesOf(() => resolve({ precision: 'fp64' }))).toEqual(['--precision: expected fp32, bf16, fp16 or fp8, got "fp64"']);
    for (const bad of ['0', '-8', 'auto', 'Infinity']) {
      expect(issuesOf(() => resolve({ precision: 'fp16', 'loss-scale': bad }))).toEqual([
        `--loss-scale: expected dynamic, none or a positive number (a static scale, e.g. 65536), got ${JSON.stringify(bad === '0' || bad === '-8' ? Number(bad) : bad)}`,
      ]);
    }
  });

  it('takes fp8 (loss scale none, TE-style delayed scaling) with its recipe keys', () => {
    expect(resolve({ precision: 'fp8' })).toMatchObject({ precision: 'fp8', loss_scale: 'none', fp8_margin: 0, fp8_amax_history: 16 });
    const c = resolve({ precision: 'fp8', 'fp8-margin': '1', 'fp8-amax-history': '64' });
    expect(c).toMatchObject({ fp8_margin: 1, fp8_amax_history: 64 });
    expect(precisionParams(c)).toEqual({ precision: 'fp8', fp8: { margin: 1, amaxHistoryLen: 64 } });
    expect(precisionParams(resolve({ precision: 'fp8' }))).toEqual({ precision: 'fp8' });
    expect(TrainJobParams.shape.precision.safeParse('fp8').success).toBe(true);
    // Without fp8 the recipe keys are inert: they never reach the job params (run.json keeps every resolved key).
    expect(precisionParams(resolve({ precision: 'bf16', 'fp8-margin': '1' }))).toEqual({ precision: 'bf16' });
    expect(issuesOf(() => resolve({ precision: 'fp8', 'fp8-amax-history': '0' }))[0]).toMatch(/fp8_amax_history|fp8-amax-history/);
  });

  it('the app form takes the same keys, fp8 included', () => {
    expect(resolveTrainConfig({ values: { ...base, precision: 'fp16', loss_scale: 512 }, cwd: work })).toMatchObject({ precision: 'fp16', loss_scale: 512 });
    expect(resolveTrainConfig({ values: { ...TrainStartInput.parse({ ...base, precision: 'fp8' }) }, cwd: work })).toMatchObject({ precision: 'fp8', loss_scale: 'none' });
    expect(TrainStartInput.safeParse({ ...base, precision: 'fp64' }).success).toBe(false);
    expect(TrainStartInput.safeParse({ ...base, precision: 'bf16', loss_scale: 'dynamic' }).success).toBe(true);
  });
});

describe('precision params, record and notes', () => {
  it('sets the engine keys only where they differ from its defaults, and the engine reads them as meant', () => {
    const cases: [Record<string, string | boolean>, object, string][] = [
      [{}, {}, 'none'],
      [{ emulate: true }, {}, 'none'],
      [{ precision: 'fp16' }, { precision: 'fp16' }, 'dynamic'],
      [{ precision: 'fp16', 'loss-scale': 'none' }, { precision: 'fp16', lossScale: 'none' }, 'none'],
      [{ precision: 'fp16', 'loss-scale': '1024' }, { precision: 'fp16', lossScale: 1024 }, 'static'],
      [{ precision: 'bf16' }, { precision: 'bf16' }, 'none'],
      [{ precision: 'bf16', 'loss-scale': 'dynamic' }, { precision: 'bf16', lossScale: 'dynamic' }, 'dynamic'],
      [{ 'loss-scale': '8' }, { lossScale: 8 }, 'static'],
    ];
    for (const [flags, params, kind] of cases) {
      const p = precisionParams(resolve(flags));
      expect(p).toEqual(params);
      expect(lossScaleConfig(p).kind).toBe(kind);
    }
  });

  it('records emulation in run.json terms, and why', () => {
    expect(precisionRecord(resolve({}))).toBeNull();
    expect(precisionRecord(resolve({ precision: 'fp16' }))).toEqual({ compute: 'fp16', loss_scale: 'dynamic', emulated: true, why: expect.stringMatching(/the CPU provider has no fp16\/bf16 math kernels/) });
    expect(precisionRecord(resolve({ precision: 'bf16', emulate: true }))).toEqual({ compute: 'bf16', loss_scale: 'none', emulated: true, why: 'forced by --emulate' });
    expect(precisionRecord(resolve({ emulate: true }))).toMatchObject({ compute: 'fp32', emulated: false });
  });

  it('says once that low precision runs emulated, and warns about a loss scale that is not needed', () => {
    expect(precisionNotes(resolve({}))).toEqual({ info: [], warnings: [] });
    expect(precisionNotes(resolve({ precision: 'fp16' }))).toEqual({
      info: ['fp16 runs emulated on CPU — a preview of a GPU run\'s numerics, not faster (loss scale dynamic)'], warnings: [],
    });
    expect(precisionNotes(resolve({ precision: 'fp16', emulate: true })).info).toEqual(['fp16 runs emulated (--emulate), loss scale dynamic']);
    expect(precisionNotes(resolve({ precision: 'bf16', 'loss-scale': 'dynamic' })).warnings).toEqual([
      'loss scale dynamic is not needed with bf16 (bf16 has fp32\'s exponent range, so its gradients do not underflow); it runs as asked',
    ]);
    expect(precisionNotes(resolve({ 'loss-scale': '1024' })).warnings[0]).toMatch(/^loss scale static 1024 is not needed with fp32/);
    expect(precisionNotes(resolve({ precision: 'bf16', 'loss-scale': 'none' })).warnings).toEqual([]);
  });
});

describe('prepared runs', () => {
  const { model, prepare } = tinyRun(work);

  it('an fp32 run keeps the params (keys and their order) of run folders made before precisions, so its resume hash is unchanged', async () => {
    const run = await prepare('fp32', {});
    // The engine's resume hash: sha256 of the params without the data paths, in key order (trainer.ts).
    const hash = (p: TrainJobParams) => {
      const { trainData: _t, evalData: _e, ...settings } = p;
      return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
    };
    expect(Object.keys(run.params)).toEqual([
      'modelDir', 'spec', 'trainData', 'evalData', 'padId', 'method', 'lora', 'initAdapter', 'optimizer', 'lr', 'weightDecay', 'betas', 'eps',
      'momentum', 'maxGradNorm', 'schedule', 'warmupSteps', 'batchSize', 'gradAccum', 'steps', 'seed', 'shuffle', 'evalEvery', 'saveEvery', 'threads',
    ]);
    // A run.json written before this change (no precision anywhere) reads back to the same params and hash.
    const file = join(run.outDir, 'run.json');
    const info = JSON.parse(readFileSync(file, 'utf8'));
    expect(info).not.toHaveProperty('precision');
    const { precision: _p, loss_scale: _l, emulate: _e, ...oldConfig } = info.config;
    writeFileSync(file, JSON.stringify({ ...info, config: oldConfig }));
    expect(hash(readRunInfo(run.outDir).params)).toBe(hash(run.params));
    expect((await prepare('fp32-emulate', { emulate: true })).params).toEqual({ ...run.params, modelDir: model, trainData: expect.any(String), evalData: null });
  });

  it('an fp16 run carries the engine keys in its params and run.json, and --resume reads them back', async () => {
    const run = await prepare('fp16', { precision: 'fp16', 'loss-scale': '4096', emulate: true });
    expect(run.params).toMatchObject({ precision: 'fp16', lossScale: 4096 });
    const info = JSON.parse(readFileSync(join(run.outDir, 'run.json'), 'utf8'));
    expect(info.config).toMatchObject({ precision: 'fp16', loss_scale: 4096, emulate: true });
    expect(info.precision).toEqual({ compute: 'fp16', loss_scale: 4096, emulated: true, why: 'forced by --emulate' });
    expect(readRunInfo(run.outDir).params).toEqual(run.params);
  });
});
