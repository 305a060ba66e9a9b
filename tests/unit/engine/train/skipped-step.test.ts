// A step skipped for overflow (found_inf under loss scaling) is a no-op for the optimizer, as with torch's GradScaler
// under the Hugging Face Trainer: params, AdamW moments, AdamW's step count and the lr schedule all stay where they
// were, so the run continues exactly like a run in which that step never happened; a resume across it stays bitwise.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { TrainJobParams, TrainMetricsRow } from '../../../../src-main/common/train';
import type { StopReason } from '../../../../src-main/engine/jobs/types';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from './helpers';

// The loss scaler, with one overflow forced: during optimizer step `forced.step` (1-based) its scale is +inf, so every
// gradient is inf/NaN and the update graph reports found_inf. Everything else is the real GradScaler.
const forced = vi.hoisted(() => ({ step: 0 }));
vi.mock('../../../../src-main/engine/precision/grad-scaler', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../../../src-main/engine/precision/grad-scaler')>();
  class ForcedOverflowScaler extends mod.GradScaler {
    override get scale(): number {
      return this.steps + 1 === forced.step ? Infinity : super.scale;
    }
  }
  return { ...mod, GradScaler: ForcedOverflowScaler };
});

const work = mkdtempSync(join(tmpdir(), 'train-skipped-step-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const modelDir = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
const spec = readModelConfig(modelDir);
// One batch holding the whole data set, unshuffled: every step sees the same batch, so dropping a step shifts nothing.
const trainData = writeExamples(join(work, 'train.jsonl'), randomExamples(6, spec.vocabSize, 4));
const params = (steps: number): TrainJobParams => ({
  modelDir, spec, trainData, evalData: null, padId: 0,
  method: 'lora', lora: { r: 4, alpha: 8, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter: null,
  optimizer: 'adamw', lr: 1e-2, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1,
  // Warmup makes the lr differ per update, so a schedule that advanced on the skipped step would show.
  schedule: 'constant', warmupSteps: 3, lossScale: 1, batchSize: 6, gradAccum: 1, steps, seed: 5, shuffle: false,
  evalEvery: 0, saveEvery: 1, threads: 1,
});

async function train(dir: string, steps: number, forceAt: number, stopAfter?: number): Promise<void> {
  forced.step = forceAt;
  let stop: StopReason | null = null;
  await runTraining(params(steps), dir, {
    emit: (m) => { if (m.type === 'metrics' && m.step === stopAfter) stop = 'cancel'; },
    stopReason: () => stop,
  });
}

const rows = (dir: string): TrainMetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetricsRow).filter((r) => 'loss' in r);
/** The adapter and optimizer state of checkpoint step-N as bytes, and its trainer state. */
const ckpt = (dir: string, step: number) => {
  const d = join(dir, 'checkpoints', `step-${step}`);
  return {
    bytes: Buffer.concat([readFileSync(join(d, 'adapter_model.safetensors')), readFileSync(join(d, 'optimizer.safetensors'))]),
    state: JSON.parse(readFileSync(join(d, 'trainer_state.json'), 'utf8')) as { step: number; updates: number },
  };
};
const finalAdapter = (dir: string) => readFileSync(join(dir, 'adapter', 'adapter_model.safetensors'));

describe('trainer: a step skipped for overflow', () => {
  it('leaves params, moments, step count and schedule untouched; the run then equals one without that step', async () => {
    const K = 3;
    const skipped = join(work, 'skipped');
    await train(skipped, 7, K);
    const never = join(work, 'never');
    await train(never, 6, 0);

    const a = rows(skipped);
    const b = rows(never);
    expect(a.map((r) => r.overflow)).toEqual([0, 0, 1, 0, 0, 0, 0]);
    expect(a[K - 1].skipped_steps).toBe(1);
    // Step K ran at the lr of update K; the schedule did not advance, so step K + 1 (update K) runs at it again.
    expect(a[K].lr).toBe(a[K - 1].lr);
    expect(a.filter((_, i) => i !== K - 1).map((r) => r.lr)).toEqual(b.map((r) => r.lr));

    // After step K: params and AdamW state bitwise as after step K − 1; the update count stayed.
    expect(ckpt(skipped, K).bytes.equals(ckpt(skipped, K - 1).bytes)).toBe(true);
    expect([ckpt(skipped, K - 1).state.updates, ckpt(skipped, K).state.updates]).toEqual([K - 1, K - 1]);

    // From then on, step K + j of the skipped run is step K + j − 1 of the run without it, bitwise.
    for (let s = K + 1; s < 7; s++) {
      expect(ckpt(skipped, s).bytes.equals(ckpt(never, s - 1).bytes), `step ${s}`).toBe(true);
      expect(a[s - 1].loss).toBe(b[s - 2].loss);
      expect(a[s - 1].grad_norm).toBe(b[s - 2].grad_norm);
    }
    expect(finalAdapter(skipped).equals(finalAdapter(never))).toBe(true);
    console.log(`skipped step ${K}: losses ${a.map((r) => r.loss.toFixed(5)).join(' ')} | without it ${b.map((r) => r.loss.toFixed(5)).join(' ')}`);

    // Stopping right after the skipped step and resuming continues the same trajectory.
    const resumed = join(work, 'resumed');
    await train(resumed, 7, K, K);
    await train(resumed, 7, 0);
    expect(finalAdapter(resumed).equals(finalAdapter(skipped))).toBe(true);
    const strip = (r: TrainMetricsRow) => ({ ...r, elapsed_s: 0, tokens_per_s: 0 });
    expect(rows(resumed).map(strip)).toEqual(a.map(strip));
  }, 240_000);
});
