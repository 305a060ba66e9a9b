// Training with LoRA dropout is deterministic: two runs give bitwise identical adapters, and 5 steps → stop → 5 resumed
// steps on the same run folder end bitwise equal to 10 straight steps (the masks follow the global micro-batch counter).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import type { StopReason } from '../../../../src-main/engine/jobs/types';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'train-dropout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const modelDir = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
const spec = readModelConfig(modelDir);
const params = (dropout: number, steps = 10): TrainJobParams => ({
  modelDir, spec, trainData: writeExamples(join(work, 'train.jsonl'), randomExamples(40, spec.vocabSize, 11)), evalData: null, padId: 0,
  method: 'lora', lora: { r: 4, alpha: 16, targets: 'all-linear', dropout, init: 'gaussian' }, initAdapter: null,
  optimizer: 'adamw', lr: 3e-3, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'linear',
  warmupSteps: 2, batchSize: 4, gradAccum: 2, steps, seed: 3, shuffle: true, evalEvery: 0, saveEvery: 0, threads: 1,
});

/** Runs to the end, or until `stopAfter` steps, in `dir`; returns the final adapter's bytes (when it finished). */
async function train(p: TrainJobParams, dir: string, stopAfter?: number): Promise<Map<string, Float32Array>> {
  let stop: StopReason | null = null;
  const res = await runTraining(p, dir, {
    emit: (m) => { if (m.type === 'metrics' && m.step === stopAfter) stop = 'cancel'; },
    stopReason: () => stop,
  });
  if (res.stopped) return new Map();
  return new Map([...readPeftAdapter(join(dir, 'adapter')).tensors].map(([k, t]) => [k, t.data]));
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let d = 0;
  for (const [name, t] of a) {
    const u = b.get(name)!;
    for (let i = 0; i < t.length; i++) d = Math.max(d, Math.abs(t[i] - u[i]));
  }
  return d;
}

const bytes = (m: Map<string, Float32Array>) => Buffer.concat([...m].map(([, t]) => Buffer.from(t.buffer, t.byteOffset, t.byteLength)));

describe('training with LoRA dropout', () => {
  it('two runs are bitwise identical, and dropout changes the result', async () => {
    const a = await train(params(0.1), join(work, 'a'));
    const b = await train(params(0.1), join(work, 'b'));
    const plain = await train(params(0), join(work, 'plain'));
    expect(a.size).toBeGreaterThan(0);
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(maxDiff(a, plain)).toBeGreaterThan(1e-5);
  }, 120_000);

  it('5 steps → stop → 5 resumed steps equal 10 straight steps bitwise', async () => {
    const straight = await train(params(0.1), join(work, 'straight'));
    const dir = join(work, 'resumed');
    expect((await train(params(0.1), dir, 5)).size).toBe(0); // stopped, checkpoint saved
    const steps1 = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps1).toEqual([1, 2, 3, 4, 5]);
    const resumed = await train(params(0.1), dir);
    const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(bytes(resumed).equals(bytes(straight))).toBe(true);
  }, 120_000);

  it('cost: step time with p = 0.05 vs p = 0 on the tiny model (reported, not asserted)', async () => {
    const stepTime = (dir: string) => {
      const rows = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { elapsed_s: number });
      const times = rows.map((r, i) => r.elapsed_s - (i ? rows[i - 1].elapsed_s : 0)).slice(5).sort((x, y) => x - y);
      return times[Math.floor(times.length / 2)] * 1000;
    };
    await train(params(0, 40), join(work, 'cost0'));
    await train(params(0.05, 40), join(work, 'cost5'));
    const [t0, t5] = [stepTime(join(work, 'cost0')), stepTime(join(work, 'cost5'))];
    console.log(`tiny qwen2 (2 layers, H=64, all-linear r=4, 2×4 examples/step): median step ${t0.toFixed(2)} ms at p=0, ${t5.toFixed(2)} ms at p=0.05 (×${(t5 / t0).toFixed(2)})`);
    expect(t5).toBeGreaterThan(0);
  }, 120_000);
});
