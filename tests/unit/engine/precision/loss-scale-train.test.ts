// Trainer with mixed precision and loss scaling: --precision fp16 (emulated) with dynamic loss scaling backs off on
// overflow and skips those steps (metrics loss_scale / overflow / skipped_steps), the scaler state is checkpointed so
// 5 steps → stop → 5 resumed steps end bitwise equal to 10 straight steps; a static scale that always overflows skips
// every step and leaves the adapter as it was.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams, TrainMetricsRow } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import type { StopReason } from '../../../../src-main/engine/jobs/types';
import { GradScaler } from '../../../../src-main/engine/precision/grad-scaler';
import { lossScaleConfig, runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from '../train/helpers';

const work = mkdtempSync(join(tmpdir(), 'train-loss-scale-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const modelDir = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
const spec = readModelConfig(modelDir);
const trainData = writeExamples(join(work, 'train.jsonl'), randomExamples(24, spec.vocabSize, 5));
const params = (extra: Partial<TrainJobParams>, steps = 4): TrainJobParams => ({
  modelDir, spec, trainData, evalData: null, padId: 0,
  method: 'lora', lora: { r: 4, alpha: 16, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter: null,
  optimizer: 'adamw', lr: 3e-3, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant',
  warmupSteps: 0, batchSize: 4, gradAccum: 1, steps, seed: 3, shuffle: true, evalEvery: 0, saveEvery: 0, threads: 1, ...extra,
});

async function train(p: TrainJobParams, dir: string, stopAfter?: number): Promise<Map<string, Float32Array>> {
  let stop: StopReason | null = null;
  const res = await runTraining(p, dir, {
    emit: (m) => { if (m.type === 'metrics' && m.step === stopAfter) stop = 'cancel'; },
    stopReason: () => stop,
  });
  if (res.stopped) return new Map();
  return new Map([...readPeftAdapter(join(dir, 'adapter')).tensors].map(([k, t]) => [k, t.data]));
}

const rows = (dir: string): TrainMetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetricsRow).filter((r) => 'loss' in r);
const bytes = (m: Map<string, Float32Array>) => Buffer.concat([...m].map(([, t]) => Buffer.from(t.buffer, t.byteOffset, t.byteLength)));

describe('trainer: precision and loss scaling', () => {
  it('defaults: fp16 → dynamic, bf16 / fp32 → none; a number → static', () => {
    expect(lossScaleConfig({ precision: 'fp16' })).toEqual({ kind: 'dynamic' });
    expect(lossScaleConfig({ precision: 'bf16' })).toEqual({ kind: 'none' });
    expect(lossScaleConfig({})).toEqual({ kind: 'none' });
    expect(lossScaleConfig({ precision: 'fp16', lossScale: 'none' })).toEqual({ kind: 'none' });
    expect(lossScaleConfig({ precision: 'bf16', lossScale: 128 })).toEqual({ kind: 'static', scale: 128 });
  });

  it('fp16 dynamic: scale sequence follows GradScaler, and 5 steps → stop → 5 resumed equal 10 straight bitwise', async () => {
    const p = params({ precision: 'fp16' }, 10);
    const straight = await train(p, join(work, 'straight'));
    const r = rows(join(work, 'straight'));
    console.log('fp16 dynamic rows:', r.map((x) => `step ${x.step} loss ${x.loss.toFixed(4)} scale ${x.loss_scale} overflow ${x.overflow} skipped ${x.skipped_steps}`).join(' | '));
    // Replay the overflow flags through a fresh GradScaler: the logged scales must be its sequence.
    const ref = new GradScaler({ kind: 'dynamic' });
    for (const row of r) {
      expect(row.loss_scale).toBe(ref.scale);
      ref.update(row.overflow === 1);
      expect(row.skipped_steps).toBe(ref.skippedSteps);
      expect(Number.isFinite(row.loss)).toBe(true);
    }
    const dir = join(work, 'resumed');
    expect((await train(p, dir, 5)).size).toBe(0);
    const resumed = await train(p, dir);
    const strip = (x: TrainMetricsRow) => ({ ...x, elapsed_s: 0, tokens_per_s: 0 });
    expect(rows(dir).map(strip)).toEqual(r.map(strip));
    expect(bytes(resumed).equals(bytes(straight))).toBe(true);
  }, 300_000);

  it('a static scale that overflows fp32 skips every step: the adapter stays as initialised (lora_B = 0)', async () => {
    const dir = join(work, 'static');
    const out = await train(params({ lossScale: 3e38 }, 3), dir);
    const r = rows(dir);
    expect(r.map((x) => [x.overflow, x.skipped_steps, x.loss_scale])).toEqual([[1, 1, Math.fround(3e38)], [1, 2, Math.fround(3e38)], [1, 3, Math.fround(3e38)]]);
    for (const [name, t] of out) if (name.includes('lora_B')) expect(t.every((v) => v === 0)).toBe(true);
  }, 120_000);
});
