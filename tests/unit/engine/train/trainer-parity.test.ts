// The trainer against PyTorch: 20 AdamW steps of LoRA training (accumulation, clipping, weight decay, warmup + cosine,
// shuffled right-padded batches) give the same loss at every step and the same final adapter.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { hasTorch } from '../../../reference/reference';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { relError } from '../nn/checkpoint';
import { ALL_TARGETS, PARITY_LORA, randomExamples, referenceSteps, runTrainReference, writeExamples, writeInitAdapter } from './helpers';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe.skipIf(!hasTorch)('trainer vs PyTorch (20 AdamW steps, fp32)', () => {
  it.each(['llama', 'mistral', 'qwen2', 'qwen3', 'llama-bf16'])('%s: matches the loss at every step within 1e-4 relative and the final adapter', async (id) => {
    const root = mkdtempSync(join(tmpdir(), `ftstudio-trainer-${id}-`));
    roots.push(root);
    const model = TINY_MODELS.find((m) => m.id === id)!;
    const modelDir = writeTinyModel(join(root, 'model'), model);
    const spec = readModelConfig(modelDir);
    const examples = randomExamples(14, spec.vocabSize, 5);
    const initDir = writeInitAdapter(join(root, 'init-adapter'), spec, modelDir);

    const params: TrainJobParams = {
      modelDir, spec, trainData: writeExamples(join(root, 'train.jsonl'), examples), evalData: null, padId: 0, method: 'lora',
      lora: { ...PARITY_LORA, dropout: 0, init: 'gaussian' }, initAdapter: initDir, optimizer: 'adamw', lr: 5e-3, weightDecay: 0.01,
      betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 0.5, schedule: 'cosine', warmupSteps: 3,
      batchSize: 3, gradAccum: 2, steps: 20, seed: 7, shuffle: true, evalEvery: 0, saveEvery: 0, threads: 2,
    };
    const runDir = join(root, 'run');
    const result = await runTraining(params, runDir, { emit: () => {}, stopReason: () => null });
    expect(result).toMatchObject({ stopped: false, steps: 20 });
    const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const train = rows.filter((r) => 'loss' in r);
    expect(train.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

    // The same micro-batches, in the same order, for the reference.
    const ref = runTrainReference(root, 'train-job', {
      model_dir: modelDir, adapter: { file: join(initDir, 'adapter_model.safetensors'), r: 4, alpha: 8, targets: ALL_TARGETS },
      steps: referenceSteps(examples, 3, 7, 20, 2), lrs: train.map((r) => r.lr), weight_decay: 0.01, betas: [0.9, 0.999], eps: 1e-8, max_grad_norm: 0.5,
    });

    const lossErr = Math.max(...train.map((r, i) => Math.abs(r.loss - ref.losses[i]) / Math.abs(ref.losses[i])));
    const normErr = Math.max(...train.map((r, i) => Math.abs(r.grad_norm - ref.grad_norms[i]) / ref.grad_norms[i]));
    const adapter = readPeftAdapter(join(runDir, 'adapter'));
    const paramErr = Math.max(...Object.entries(ref.params).map(([name, v]) => relError(adapter.tensors.get(name)!.data, v)));
    console.log(`trainer parity ${id}: loss rel err ≤ ${lossErr.toExponential(2)}, grad-norm ${normErr.toExponential(2)}, final adapter ${paramErr.toExponential(2)}`);
    expect(lossErr).toBeLessThan(1e-4);
    expect(normErr).toBeLessThan(1e-4);
    expect(paramErr).toBeLessThan(1e-4);
    expect(train[19].loss).toBeLessThan(train[0].loss); // it learns
  }, 120_000);
});
