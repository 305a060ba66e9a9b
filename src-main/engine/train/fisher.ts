// Diagonal Fisher information of the pre-trained weights for EWC, estimated on the training data, and its file in the run folder.
//
// This is the EMPIRICAL Fisher, as most EWC implementations for LLMs use: labels come from the data, not sampled from
// the model. F = mean over sampled examples of g⊙g, g the gradient of that example's MEAN token loss (one example per
// forward/backward, batch 1, so per-example gradients are not mixed). Values are kept raw (not normalised): the EWC
// strength λ carries the scale; mean and max are reported so the UI can show what λ multiplies.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFloatSafetensors } from '../io/sharded-safetensors';
import { readSafetensorsHeader, readTensorF32 } from '../io/safetensors';
import { Prng } from '../nn/prng';
import type { EngineSession, Feed } from '../runtime';
import { collate, type Example } from './batches';

export const FISHER_FILE = 'fisher.safetensors';
export const DEFAULT_FISHER_SAMPLES = 64;

export interface FisherOptions {
  /** The params to estimate F for, with their shapes (the train graph's params, or the anchored subset). */
  readonly params: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** At most this many examples, drawn without replacement (default 64). */
  readonly samples?: number;
  /** Seed of the draw (default 0). */
  readonly seed?: number;
  /** Called after each example. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FisherResult {
  readonly fisher: Map<string, Float32Array>;
  readonly shapes: Map<string, number[]>;
  /** Examples that entered the mean (drawn ones without a counted token are skipped). */
  readonly examples: number;
  /** Mean and max over every element of every tensor. */
  readonly mean: number;
  readonly max: number;
}

/** min(samples, n) distinct indices in [0, n), seeded, ascending (a partial Fisher-Yates shuffle). */
export function sampleIndices(n: number, samples: number, seed: number): number[] {
  const k = Math.min(Math.max(0, Math.floor(samples)), n);
  const idx = Array.from({ length: n }, (_, i) => i);
  const rng = new Prng(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/**
 * Runs `session` (a train graph: outputs loss_sum, token_count and grad.<param> of loss_sum) once per sampled example.
 * `feeds` holds every input other than input_ids and labels: the params' current (pre-trained) values, and a
 * graph's loss_scale fed as 1 (gradients must be unscaled here). Accumulates in float32: with ≤ a few hundred
 * non-negative terms the rounding stays ~1e-6 relative.
 */
export async function estimateFisher(session: EngineSession, examples: readonly Example[], feeds: Readonly<Record<string, Feed>>, opts: FisherOptions): Promise<FisherResult> {
  const picked = sampleIndices(examples.length, opts.samples ?? DEFAULT_FISHER_SAMPLES, opts.seed ?? 0);
  const fisher = new Map(opts.params.map((p) => [p.name, new Float32Array(p.shape.reduce((a, b) => a * b, 1))]));
  const outputs = ['token_count', ...opts.params.map((p) => `grad.${p.name}`)];
  let used = 0;
  for (const [done, i] of picked.entries()) {
    const batch = collate([examples[i]], 0); // batch 1: no padding, the pad id is never used
    if (batch.countedTokens > 0) {
      const out = await session.run({ input_ids: { data: batch.inputIds, dims: batch.dims }, labels: { data: batch.labels, dims: batch.dims }, ...feeds }, outputs);
      const n = (out.token_count.data as Float32Array)[0];
      for (const [name, acc] of fisher) {
        const g = out[`grad.${name}`].data as Float32Array;
        for (let e = 0; e < acc.length; e++) {
          const s = g[e] / n; // gradient of the example's mean token loss
          acc[e] += s * s;
        }
      }
      used++;
    }
    opts.onProgress?.(done + 1, picked.length);
  }
  if (used === 0) throw new Error('Fisher estimate: none of the sampled examples has a counted token (every label is -100).');
  let sum = 0;
  let count = 0;
  let max = 0;
  for (const acc of fisher.values()) {
    for (let e = 0; e < acc.length; e++) {
      acc[e] /= used;
      sum += acc[e];
      if (acc[e] > max) max = acc[e];
    }
    count += acc.length;
  }
  return { fisher, shapes: new Map(opts.params.map((p) => [p.name, [...p.shape]])), examples: used, mean: count ? sum / count : 0, max };
}

/** Writes `<runDir>/fisher.safetensors` (atomically), with examples, mean and max in its metadata. */
export function saveFisher(runDir: string, r: FisherResult): string {
  const file = join(runDir, FISHER_FILE);
  const tensors = [...r.fisher].map(([name, data]) => ({ name, shape: r.shapes.get(name) ?? [data.length], data }));
  writeFloatSafetensors(file, tensors, 'F32', { examples: String(r.examples), mean: String(r.mean), max: String(r.max) });
  return file;
}

/** The Fisher a previous attempt of this run saved, or null when there is none (a resumed run need not recompute it). */
export function loadFisher(runDir: string): FisherResult | null {
  const file = join(runDir, FISHER_FILE);
  if (!existsSync(file)) return null;
  const header = readSafetensorsHeader(file);
  const fisher = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  for (const [name, loc] of header.tensors) {
    fisher.set(name, readTensorF32(loc));
    shapes.set(name, loc.shape);
  }
  const m = header.metadata;
  return { fisher, shapes, examples: Number(m.examples ?? 0), mean: Number(m.mean ?? NaN), max: Number(m.max ?? NaN) };
}
