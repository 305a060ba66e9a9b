// Shared setup of the nn tests: tiny models on disk, their graph folders, a padded batch, a random adapter.

import { join } from 'node:path';
import type { ModelSpec } from '../../../../src-main/common/model-spec';
import { Prng, initLoraWeights, loraTensors, type LoraConfig, type WeightRef } from '../../../../src-main/engine/nn';
import type { Feed } from '../../../../src-main/engine/runtime';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { writeSafetensors } from '../../../../src-main/models/safetensors';
import { writeTinyModel, type TinyModel } from '../../../reference/tiny-models';
import { resolveWeights } from './checkpoint';

export const LORA: LoraConfig = { r: 4, alpha: 8, targets: 'all-linear' };

export interface Prepared {
  model: TinyModel;
  modelDir: string;
  graphDir: string;
  spec: ModelSpec;
  weights: WeightRef[];
}

export function prepare(work: string, model: TinyModel): Prepared {
  const modelDir = writeTinyModel(join(work, model.id, 'model'), model);
  const graphDir = join(work, model.id, 'graph');
  return { model, modelDir, graphDir, spec: readModelConfig(modelDir), weights: resolveWeights(modelDir, graphDir) };
}

export interface Batch {
  inputIds: number[][];
  labels: number[][];
}

/**
 * B = 2, S = 20. Row 0: 20 real tokens, the first 5 labels masked (a prompt). Row 1: 14 real tokens
 * then 6 right pads (id 0, label −100), the first 3 labels masked.
 */
export function makeBatch(vocab: number, seed: number, S = 20): Batch {
  const rng = new Prng(seed);
  const id = () => 1 + (rng.nextU32() % (vocab - 1));
  const real = [S, S - 6];
  const prompt = [5, 3];
  const inputIds = real.map((n) => Array.from({ length: S }, (_, t) => (t < n ? id() : 0)));
  const labels = inputIds.map((row, b) => row.map((v, t) => (t < prompt[b] || t >= real[b] ? -100 : v)));
  return { inputIds, labels };
}

/** Tokens the shifted loss counts: labels[:, 1:] != −100. */
export function countedTokens(labels: number[][]): number {
  return labels.reduce((n, row) => n + row.slice(1).filter((v) => v !== -100).length, 0);
}

/** A (N(0, 1/r)) and B both non-zero, so gradients flow to both; seeded. */
export function randomAdapter(spec: ModelSpec, cfg: LoraConfig, seed: number): Map<string, Float32Array> {
  const init = initLoraWeights(spec, cfg, seed);
  const rng = new Prng(seed + 1000);
  for (const t of loraTensors(spec, cfg)) if (t.kind === 'B') init.set(t.name, rng.normalArray(t.shape[0] * t.shape[1], 0.2));
  return init;
}

export function writeAdapter(file: string, spec: ModelSpec, cfg: LoraConfig, values: Map<string, Float32Array>): void {
  writeSafetensors(file, loraTensors(spec, cfg).map((t) => ({ name: t.name, dtype: 'F32' as const, shape: t.shape, data: values.get(t.name) as Float32Array })));
}

export function adapterFeeds(spec: ModelSpec, cfg: LoraConfig, values: Map<string, Float32Array>): Record<string, Feed> {
  return Object.fromEntries(loraTensors(spec, cfg).map((t) => [t.name, { data: values.get(t.name) as Float32Array, dims: t.shape }]));
}
