// Early stopping on the eval loss: the count of evaluations since the best, and a run that ends when it reaches the
// patience (and exports what it has), while a run that keeps improving goes the distance.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { evalsSinceBest } from '../../../../src-main/engine/train/early-stopping';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from './helpers';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('early stopping', () => {
  it('counts the evaluations after the best one; a tie is no improvement', () => {
    expect(evalsSinceBest([])).toBe(0);
    expect(evalsSinceBest([3, 2, 1])).toBe(0);
    expect(evalsSinceBest([3, 1, 2, 4])).toBe(2);
    expect(evalsSinceBest([2, 2, 2])).toBe(2);
  });

  it('stops a diverging run after `patience` worse evaluations and still exports; an improving one runs to the end', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ftstudio-early-'));
    roots.push(root);
    const modelDir = writeTinyModel(join(root, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
    const spec = readModelConfig(modelDir);
    const train = writeExamples(join(root, 'train.jsonl'), randomExamples(8, spec.vocabSize, 1));
    // Held-out rows from another stream: memorising the training rows makes their loss worse, not better.
    const evalData = writeExamples(join(root, 'eval.jsonl'), randomExamples(4, spec.vocabSize, 99));
    const base: TrainJobParams = {
      modelDir, spec, trainData: train, evalData, padId: 0, method: 'full', lora: { r: 4, alpha: 8, targets: 'all-linear', dropout: 0, init: 'gaussian' },
      initAdapter: null, optimizer: 'adamw', lr: 3e-2, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1,
      schedule: 'constant', warmupSteps: 0, batchSize: 8, gradAccum: 1, steps: 30, seed: 1, shuffle: true, evalEvery: 2, saveEvery: 0, threads: 2,
      earlyStopping: 2,
    };
    const overfit = await runTraining(base, join(root, 'overfit'), { emit: () => {}, stopReason: () => null });
    const evals = readFileSync(join(root, 'overfit', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => 'eval_loss' in r).map((r) => r.eval_loss as number);
    console.log(`early stopping: stopped at step ${overfit.steps} of 30, eval losses ${evals.map((v) => v.toFixed(3)).join(' ')}`);
    expect(overfit.stopped).toBe(false);
    expect(overfit.steps).toBeLessThan(30);
    expect(evalsSinceBest(evals)).toBe(2);
    expect(overfit.adapterDir).toBe(join(root, 'overfit', 'model'));

    const steady = await runTraining({ ...base, trainData: evalData, lr: 1e-3, steps: 10 }, join(root, 'steady'), { emit: () => {}, stopReason: () => null });
    expect(steady.steps).toBe(10);
  }, 180_000);
});
