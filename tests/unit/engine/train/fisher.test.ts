// The empirical diagonal Fisher of a tiny model's base weights (trainable 'all') against PyTorch, the embedding rows
// it touches, the seeded sample, and its file in the run folder.
//
// Reference: causal_lm_reference.py in float64, one case per example (batch 1): per-example gradients of loss_sum,
// divided by the example's token count, squared, averaged. Bound: per tensor max|ours − ref| / max|ref| ≤ 1e-5; the
// engine's float32 gradients are ~2e-6 off float64 (nn/parity.test.ts), which squaring doubles.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFloatCheckpoint } from '../../../../src-main/engine/io/sharded-safetensors';
import { buildTrainGraph, type BuiltGraph } from '../../../../src-main/engine/nn';
import { EngineSession, type Feed } from '../../../../src-main/engine/runtime';
import { collate, type Example } from '../../../../src-main/engine/train/batches';
import { FISHER_FILE, estimateFisher, loadFisher, sampleIndices, saveFisher, type FisherResult } from '../../../../src-main/engine/train/fisher';
import { hasTorch, runReference, type RefCase, type RefResult } from '../../../reference/reference';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { prepare, type Prepared } from '../nn/fixtures';
import { relError } from '../nn/checkpoint';
import { randomExamples } from './helpers';

const TOL = 1e-5;
const EMBED = 'model.embed_tokens.weight';
const SAMPLES = 4;
const SEED = 5;

const work = mkdtempSync(join(tmpdir(), 'fisher-'));
let p: Prepared;
let built: BuiltGraph;
let session: EngineSession;
let feeds: Record<string, Feed>;
let examples: Example[];
let result: FisherResult;

beforeAll(async () => {
  // Untied embeddings: with a tied lm_head every vocabulary row would get a gradient through the softmax.
  p = prepare(work, TINY_MODELS.find((m) => m.id === 'llama') as (typeof TINY_MODELS)[number]);
  built = buildTrainGraph(p.spec, p.weights, { trainable: 'all' });
  session = await EngineSession.create(writeGraph(), { intraOpThreads: 1 });
  const weights = readFloatCheckpoint(p.modelDir);
  feeds = Object.fromEntries(built.params.map((q) => [q.name, { data: (weights.get(q.name) as { data: Float32Array }).data, dims: q.shape }]));
  examples = randomExamples(7, p.spec.vocabSize, 41);
  result = await estimateFisher(session, examples, feeds, { params: built.params, samples: SAMPLES, seed: SEED });
}, 120_000);

afterAll(async () => {
  await session?.release();
  rmSync(work, { recursive: true, force: true });
});

function writeGraph(): string {
  const file = join(p.graphDir, 'train-all.onnx');
  // external weight locations are relative to the graph folder, so the .onnx goes there
  writeFileSync(file, built.serialize());
  return file;
}

/** Token ids whose embedding row reaches the loss: every input position but the last (it predicts nothing). */
function usedTokens(exs: readonly Example[]): Set<number> {
  return new Set(exs.flatMap((e) => e.inputIds.slice(0, -1)));
}

describe('diagonal Fisher estimate', () => {
  it('draws a seeded sample without replacement, capped at the data size', () => {
    expect(sampleIndices(7, SAMPLES, SEED)).toEqual(sampleIndices(7, SAMPLES, SEED));
    expect(new Set(sampleIndices(7, SAMPLES, SEED)).size).toBe(SAMPLES);
    expect(sampleIndices(7, 64, SEED)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sampleIndices(100, 10, 1)).not.toEqual(sampleIndices(100, 10, 2));
    expect(result.examples).toBe(SAMPLES);
    expect([...result.fisher.keys()]).toEqual(built.paramNames);
  });

  it.skipIf(!hasTorch)('matches PyTorch: mean over examples of (∇ mean token loss)², every base weight', () => {
    const picked = sampleIndices(examples.length, SAMPLES, SEED).map((i) => examples[i]);
    const cases: RefCase[] = picked.map((e, i) => ({
      id: `ex${i}`, model_dir: p.modelDir, input_ids: [e.inputIds], labels: [e.labels], lora: null, grad_weights: true, dtypes: ['float64'],
    }));
    const ref = runReference(cases, work);
    let worst = 0;
    for (const q of built.params) {
      const expected = new Float64Array(q.shape.reduce((a, b) => a * b, 1));
      for (const c of cases) {
        const r = ref[c.id].float64 as RefResult;
        r.grads[q.name].forEach((g, e) => (expected[e] += (g / r.token_count) ** 2 / cases.length));
      }
      const err = relError(result.fisher.get(q.name) as Float32Array, expected);
      expect(err, q.name).toBeLessThanOrEqual(TOL);
      expect(Math.max(...expected), `${q.name} is not trivially zero`).toBeGreaterThan(0);
      worst = Math.max(worst, err);
    }
    console.log(`fisher vs torch float64: worst rel ${worst} over ${built.params.length} tensors, mean ${result.mean}, max ${result.max}`);
  });

  it('embedding gradients: non-zero on the rows of tokens used, exactly zero elsewhere (per example and in F)', async () => {
    const H = p.spec.hiddenSize;
    const rowNonZero = (data: Float32Array, row: number) => data.subarray(row * H, (row + 1) * H).some((x) => x !== 0);
    const one = examples[0];
    const batch = collate([one], 0);
    const out = await session.run({ input_ids: { data: batch.inputIds, dims: batch.dims }, labels: { data: batch.labels, dims: batch.dims }, ...feeds }, [`grad.${EMBED}`]);
    const grad = out[`grad.${EMBED}`].data as Float32Array;
    const picked = sampleIndices(examples.length, SAMPLES, SEED).map((i) => examples[i]);
    const F = result.fisher.get(EMBED) as Float32Array;
    for (const [data, used] of [[grad, usedTokens([one])], [F, usedTokens(picked)]] as const) {
      expect(used.size).toBeGreaterThan(3);
      expect(used.size).toBeLessThan(p.spec.vocabSize / 2);
      for (let v = 0; v < p.spec.vocabSize; v++) expect(rowNonZero(data, v), `row ${v}`).toBe(used.has(v));
    }
  });

  it('reports mean and max of F; saves it in the run folder and loads it back exactly', () => {
    let sum = 0;
    let n = 0;
    let max = 0;
    for (const f of result.fisher.values()) for (const x of f) { sum += x; n++; max = Math.max(max, x); }
    expect(result.mean).toBeCloseTo(sum / n, 12);
    expect(result.max).toBe(max);
    expect(result.max).toBeGreaterThan(result.mean);
    const runDir = mkdtempSync(join(work, 'run-'));
    expect(loadFisher(runDir)).toBeNull();
    expect(saveFisher(runDir, result)).toBe(join(runDir, FISHER_FILE));
    const back = loadFisher(runDir) as FisherResult;
    expect(back.examples).toBe(result.examples);
    expect(back.mean).toBe(result.mean);
    expect(back.max).toBe(result.max);
    expect([...back.shapes]).toEqual([...result.shapes]);
    for (const [name, f] of result.fisher) expect(back.fisher.get(name), name).toEqual(f);
  });

  it('refuses a sample with no counted token', async () => {
    const masked: Example[] = [{ inputIds: [1, 2, 3], labels: [-100, -100, -100] }];
    await expect(estimateFisher(session, masked, feeds, { params: built.params })).rejects.toThrow(/has a counted token/);
  });
});
