// Full fine-tuning in the trainer: every weight trains, with L2-SP and EWC pulling toward the pre-trained weights.
// Checked against PyTorch (SGD with momentum, the penalties added to the loss before backward), and the exported
// model folder loads and gives the trained weights' loss.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { readFloatCheckpoint } from '../../../../src-main/engine/io/sharded-safetensors';
import { evaluateLoss } from '../../../../src-main/engine/train/evaluate';
import { FISHER_FILE } from '../../../../src-main/engine/train/fisher';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { hasTorch, PYTHON } from '../../../reference/reference';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { relError } from '../nn/checkpoint';
import { randomExamples, referenceSteps, writeExamples } from './helpers';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const STEPS = 4;

function setup(guards: TrainJobParams['guards']) {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-full-'));
  roots.push(root);
  const modelDir = writeTinyModel(join(root, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
  const spec = readModelConfig(modelDir);
  const examples = randomExamples(12, spec.vocabSize, 5);
  const params: TrainJobParams = {
    modelDir, spec, trainData: writeExamples(join(root, 'train.jsonl'), examples), evalData: null, padId: 0, method: 'full', guards,
    lora: { r: 8, alpha: 16, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter: null, optimizer: 'sgd', lr: 0.5,
    weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0.9, maxGradNorm: 1, schedule: 'constant', warmupSteps: 0,
    batchSize: 3, gradAccum: 2, steps: STEPS, seed: 7, shuffle: true, evalEvery: 0, saveEvery: 0, threads: 2,
  };
  return { root, modelDir, spec, examples, params };
}

function reference(root: string, modelDir: string, steps: unknown, lrs: number[], job: { l2sp: number; ewc: number; fisher: string | null }) {
  const file = join(root, 'full-job.json');
  writeFileSync(file, JSON.stringify({ model_dir: modelDir, steps, lrs, momentum: 0.9, weight_decay: 0.01, max_grad_norm: 1, ...job }));
  return JSON.parse(execFileSync(PYTHON, [join(__dirname, '../../../reference/full_reference.py'), file], {
    encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' },
  })) as { losses: number[]; params: Record<string, number[]> };
}

const rowsOf = (runDir: string) => readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => 'loss' in r) as { loss: number; lr: number }[];

describe.skipIf(!hasTorch)('full fine-tuning vs PyTorch (4 SGD steps, fp32, tiny llama)', () => {
  for (const [label, guards] of [
    ['no guards', undefined],
    ['L2-SP and EWC', { l2spLambda: 0.5, ewcLambda: 2000, ewcData: null, ewcSamples: 8 }],
  ] as const) {
    it(`${label}: every step's loss and every weight within 1e-4`, async () => {
      const { root, modelDir, spec, examples, params } = setup(guards);
      const runDir = join(root, 'run');
      const result = await runTraining(params, runDir, { emit: () => {}, stopReason: () => null });
      expect(result.adapterDir).toBe(join(runDir, 'model'));
      const rows = rowsOf(runDir);
      const ref = reference(root, modelDir, referenceSteps(examples, 3, 7, STEPS, 2), rows.map((r) => r.lr), {
        l2sp: guards?.l2spLambda ?? 0, ewc: guards?.ewcLambda ?? 0, fisher: guards ? join(runDir, FISHER_FILE) : null,
      });
      const ours = readFloatCheckpoint(join(runDir, 'model'));
      const lossErr = Math.max(...rows.map((r, i) => Math.abs(r.loss - ref.losses[i]) / ref.losses[i]));
      const errs = Object.entries(ref.params).map(([n, v]) => relError(ours.get(n)!.data, v));
      console.log(`full FT parity (${label}): loss ≤ ${lossErr.toExponential(2)}, weights ≤ ${Math.max(...errs).toExponential(2)} over ${errs.length} tensors`);
      expect(lossErr).toBeLessThan(1e-4);
      expect(Math.max(...errs)).toBeLessThan(1e-4);
      if (guards) {
        // The check can fail: each penalty alone, or neither, ends elsewhere.
        for (const off of [{ l2sp: 0, ewc: guards.ewcLambda }, { l2sp: guards.l2spLambda, ewc: 0 }]) {
          const other = reference(root, modelDir, referenceSteps(examples, 3, 7, STEPS, 2), rows.map((r) => r.lr), { ...off, fisher: join(runDir, FISHER_FILE) });
          expect(Math.max(...Object.entries(other.params).map(([n, v]) => relError(ours.get(n)!.data, v)))).toBeGreaterThan(1e-3);
        }
      }
      // Every tensor of the checkpoint trained, the embedding included.
      expect(ours.size).toBe(Object.keys(ref.params).length);
      // The exported folder is a model: it loads and evaluates like the base did.
      expect(existsSync(join(runDir, 'model', 'config.json'))).toBe(true);
      const ev = await evaluateLoss({ modelDir: join(runDir, 'model'), spec, workDir: join(root, 'eval'), adapter: null, examples: examples.slice(0, 3), batchSize: 3, padId: 0, threads: 1 });
      expect(Number.isFinite(ev.loss)).toBe(true);
    }, 180_000);
  }

  it('the guards hold the weights closer to the pre-trained ones', async () => {
    const dist = async (guards: TrainJobParams['guards']) => {
      const { root, modelDir, params } = setup(guards);
      await runTraining({ ...params, steps: 6 }, join(root, 'run'), { emit: () => {}, stopReason: () => null });
      const base = readFloatCheckpoint(modelDir);
      let sq = 0;
      for (const [n, t] of readFloatCheckpoint(join(root, 'run', 'model'))) t.data.forEach((v, i) => { sq += (v - base.get(n)!.data[i]) ** 2; });
      return Math.sqrt(sq);
    };
    const free = await dist(undefined);
    const held = await dist({ l2spLambda: 5, ewcLambda: 0, ewcData: null, ewcSamples: 8 });
    console.log(`distance from the pre-trained weights after 6 steps: ${free.toFixed(4)} without guards, ${held.toFixed(4)} with L2-SP λ=5`);
    expect(held).toBeLessThan(free * 0.9);
  }, 180_000);
});
