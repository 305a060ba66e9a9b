// Shared by the benchmarks: a fixed-shape synthetic training run (batch × seq rows, no padding) and its job parameters.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainJobParams } from '../../src-main/common/train';
import { readModelConfig } from '../../src-main/models/hf/config';

export interface BenchRun { batch: number; seq: number; steps: number; threads: number; rank: number }

/** Writes work/train.jsonl with deterministic ids and returns LoRA (all-linear, α = 2r) + AdamW params over it. */
export function benchTrainParams(modelDir: string, work: string, run: BenchRun): TrainJobParams {
  const spec = readModelConfig(modelDir);
  const rows = Array.from({ length: run.batch }, (_, r) => {
    const ids = Array.from({ length: run.seq }, (_, i) => (r * 7919 + i * 104729) % spec.vocabSize);
    return JSON.stringify({ input_ids: ids, labels: ids });
  });
  writeFileSync(join(work, 'train.jsonl'), rows.join('\n'));
  return {
    modelDir, spec, trainData: join(work, 'train.jsonl'), evalData: null, padId: 0, method: 'lora',
    lora: { r: run.rank, alpha: 2 * run.rank, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter: null,
    optimizer: 'adamw', lr: 1e-4, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant',
    warmupSteps: 0, batchSize: run.batch, gradAccum: 1, steps: run.steps, seed: 1, shuffle: false, evalEvery: 0, saveEvery: 0, threads: run.threads,
  };
}
