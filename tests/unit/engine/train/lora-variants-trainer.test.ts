// rsLoRA and DoRA through the trainer: the saved adapter says so in PEFT's keys (use_rslora, use_dora, the magnitude
// vectors), DoRA's magnitudes start at the weights' row norms (so the first loss is the base model's), and LoRA+ puts
// the magnitudes in the B group as PEFT does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import { evaluateLoss } from '../../../../src-main/engine/train/evaluate';
import { loraOptimizerParams } from '../../../../src-main/engine/train/methods/lora';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from './helpers';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function setup(lora: Partial<TrainJobParams['lora']>) {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-variants-'));
  roots.push(root);
  const modelDir = writeTinyModel(join(root, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
  const spec = readModelConfig(modelDir);
  const examples = randomExamples(6, spec.vocabSize, 3);
  const params: TrainJobParams = {
    modelDir, spec, trainData: writeExamples(join(root, 'train.jsonl'), examples), evalData: null, padId: 0, method: 'lora',
    lora: { r: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'down_proj'], dropout: 0, init: 'gaussian', ...lora }, initAdapter: null,
    optimizer: 'adamw', lr: 1e-2, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant',
    warmupSteps: 0, batchSize: 6, gradAccum: 1, steps: 3, seed: 5, shuffle: false, evalEvery: 0, saveEvery: 0, threads: 2,
  };
  return { root, modelDir, spec, examples, params };
}

describe('rsLoRA and DoRA in the trainer', () => {
  it('DoRA: step 1 sees the base model, the adapter holds the magnitudes and use_dora', async () => {
    const { root, modelDir, spec, examples, params } = setup({ useDora: true });
    const runDir = join(root, 'run');
    await runTraining(params, runDir, { emit: () => {}, stopReason: () => null });
    const first = JSON.parse(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n')[0]).loss as number;
    const base = await evaluateLoss({ modelDir, spec, workDir: join(root, 'eval'), adapter: null, examples, batchSize: 6, padId: 0, threads: 1 });
    expect(Math.abs(first - base.loss) / base.loss).toBeLessThan(1e-6);
    const adapter = readPeftAdapter(join(runDir, 'adapter'), { dora: true });
    expect(adapter.config.useDora).toBe(true);
    const m = [...adapter.tensors.keys()].filter((k) => k.endsWith('lora_magnitude_vector'));
    expect(m).toHaveLength(3 * spec.numLayers);
    expect(JSON.parse(readFileSync(join(runDir, 'adapter', 'adapter_config.json'), 'utf8'))).toMatchObject({ use_dora: true, use_rslora: false });
    // The trained adapter evaluates (the eval graph computes DoRA too) and is not the base model any more.
    const after = await evaluateLoss({ modelDir, spec, workDir: join(root, 'eval2'), adapter, examples, batchSize: 6, padId: 0, threads: 1 });
    expect(after.loss).toBeLessThan(base.loss);
  }, 120_000);

  it('rsLoRA: use_rslora in the adapter, and a different trajectory from plain LoRA at the same α and r', async () => {
    const a = setup({ useRslora: true });
    await runTraining(a.params, join(a.root, 'run'), { emit: () => {}, stopReason: () => null });
    expect(readPeftAdapter(join(a.root, 'run', 'adapter'), { rslora: true }).config.useRslora).toBe(true);
    const b = setup({});
    await runTraining(b.params, join(b.root, 'run'), { emit: () => {}, stopReason: () => null });
    const last = (dir: string) => JSON.parse(readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!).loss as number;
    expect(Math.abs(last(a.root) - last(b.root))).toBeGreaterThan(1e-4);
  }, 120_000);

  it('LoRA+ puts lora_B and the DoRA magnitudes in the fast group, lora_A in the other', () => {
    const ps = ['m.lora_A.weight', 'm.lora_B.weight', 'base_model.model.m.lora_magnitude_vector'].map((name) => ({ name, shape: [2] }));
    expect(loraOptimizerParams(ps, true).map((p) => p.group)).toEqual([0, 1, 1]);
  });
});
