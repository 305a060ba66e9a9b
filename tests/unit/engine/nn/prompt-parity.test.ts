// Parity with PyTorch for prompt learning (tests/reference/prompt_reference.py, PEFT semantics): P-tuning with LSTM,
// MLP and no encoder, prefix tuning with and without projection, on tiny models incl. GQA, Qwen2 biases and Qwen3
// q/k norms with head_dim ≠ H/nh. Loss, the gradient of every prompt tensor, the loss after one SGD step, and the
// encoder output PEFT saves (prompt_embeddings), all within 1e-4 relative of the float64 reference (fp32 engine).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrainGraph } from '../../../../src-main/engine/nn';
import { initPromptParams, promptParamShapes } from '../../../../src-main/engine/nn/prompt';
import { buildPromptEmbeddingGraph } from '../../../../src-main/engine/nn/prompt-adapter';
import { EngineSession } from '../../../../src-main/engine/runtime';
import { hasTorch } from '../../../reference/reference';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, relError, runBuilt } from './checkpoint';
import { countedTokens, makeBatch, prepare, type Batch, type Prepared } from './fixtures';
import { PROMPT_CONFIGS, promptFeeds, refPrompt, runPromptReference, writePromptParams, type PromptRefResult } from './prompt-fixtures';

const TOL = 1e-4;
/** SGD step sizes that move the loss by ~0.1–10 %: the bare tables (N(0, 1) entries) need a larger one. */
const lrOf = (c: string) => (c === 'ptuning-none' || c === 'prefix' ? 5e-2 : 1e-3);

/** Every method on llama (GQA, llama3 RoPE) and qwen3 (q/k norms, head_dim 32); some on qwen2 (biases) and llama-tied. */
const CASES: [string, string][] = [
  ...Object.keys(PROMPT_CONFIGS).flatMap((c) => [['llama', c], ['qwen3', c]] as [string, string][]),
  ['qwen2', 'ptuning-mlp'], ['qwen2', 'prefix-proj'], ['llama-tied', 'ptuning-lstm'], ['llama-tied', 'prefix'],
];

const work = mkdtempSync(join(tmpdir(), 'nn-prompt-parity-'));
const models = new Map<string, Prepared>();
const batches = new Map<string, Batch>();
let ref: Record<string, Partial<Record<'float64' | 'float32', PromptRefResult>>> = {};
const figures: Record<string, Record<string, number>> = {};
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const caseId = (model: string, cfg: string) => `${model}/${cfg}`;
const seedOf = (model: string, cfg: string) => 300 + TINY_MODELS.findIndex((m) => m.id === model) * 10 + Object.keys(PROMPT_CONFIGS).indexOf(cfg);

/** The fixtures' batch with row 0's first label unmasked: P-tuning then predicts it from the last virtual token. */
function batchFor(vocab: number, seed: number): Batch {
  const b = makeBatch(vocab, seed);
  b.labels[0][0] = b.inputIds[0][0];
  return b;
}

beforeAll(() => {
  for (const [model] of CASES) {
    if (models.has(model)) continue;
    const p = prepare(work, TINY_MODELS.find((m) => m.id === model) as (typeof TINY_MODELS)[number]);
    models.set(model, p);
    batches.set(model, batchFor(p.spec.vocabSize, 100 + p.model.seed));
  }
  const cases = CASES.map(([model, c]) => {
    const p = models.get(model) as Prepared;
    const cfg = PROMPT_CONFIGS[c];
    const file = join(work, `${model}-${c}.safetensors`);
    writePromptParams(file, p.spec, cfg, initPromptParams(p.spec, cfg, seedOf(model, c)));
    const batch = batches.get(model) as Batch;
    return { id: caseId(model, c), model_dir: p.modelDir, input_ids: batch.inputIds, labels: batch.labels, params_file: file, prompt: refPrompt(cfg), lr: lrOf(c) };
  });
  if (hasTorch) ref = runPromptReference(cases, work);
}, 300_000);

afterAll(() => {
  console.log(`prompt parity figures (rel errors vs torch float64): ${JSON.stringify(figures, null, 1)}`);
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasTorch)('prompt learning parity with PyTorch (skipped: /usr/bin/python3 has no torch)', () => {
  it.each(CASES)('%s, %s: loss, gradients of every prompt tensor, one SGD step', async (model, c) => {
    const p = models.get(model) as Prepared;
    const batch = batches.get(model) as Batch;
    const cfg = PROMPT_CONFIGS[c];
    const values = initPromptParams(p.spec, cfg, seedOf(model, c));
    const built = buildTrainGraph(p.spec, p.weights, { prompt: cfg });
    expect(built.paramNames).toEqual(promptParamShapes(p.spec, cfg).map((s) => s.name));
    const data = { input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels) };
    const out = await runBuilt(built, p.graphDir, { ...data, ...promptFeeds(p.spec, cfg, values) }, `${c}.onnx`);
    const [r64, r32] = [ref[caseId(model, c)].float64 as PromptRefResult, ref[caseId(model, c)].float32 as PromptRefResult];

    // P-tuning counts labels[0] too (PEFT's −100 prefix puts it after the last virtual token); prefix tuning does not.
    const counted = cfg.kind === 'ptuning' ? countedTokens(batch.labels) + 1 : countedTokens(batch.labels);
    expect(Number(out.token_count.data[0])).toBe(counted);
    expect(r64.token_count).toBe(counted);
    const loss = Number(out.loss.data[0]);
    expect(rel(loss, r64.loss)).toBeLessThanOrEqual(TOL);
    expect(rel(loss, r32.loss)).toBeLessThanOrEqual(TOL);
    expect(rel(Number(out.loss_sum.data[0]), r64.loss_sum)).toBeLessThanOrEqual(TOL);

    let worst = 0;
    const stepped = new Map<string, Float32Array>();
    for (const name of built.paramNames) {
      const grad = out[`grad.${name}`].data as Float32Array;
      const e = relError(grad, r64.grads[name]);
      expect(e, name).toBeLessThanOrEqual(TOL);
      expect(Math.max(...r64.grads[name].map(Math.abs)), `${name} gradient is not trivially zero`).toBeGreaterThan(1e-4);
      worst = Math.max(worst, e);
      const v = values.get(name) as Float32Array;
      stepped.set(name, v.map((x, i) => x - lrOf(c) * grad[i]));
    }
    const after = Number((await runBuilt(built, p.graphDir, { ...data, ...promptFeeds(p.spec, cfg, stepped) }, `${c}.onnx`)).loss.data[0]);
    expect(rel(after, r64.loss_after)).toBeLessThanOrEqual(TOL);
    // The step must move the loss well beyond the tolerance, or the check above would be vacuous.
    expect(rel(r64.loss_after, r64.loss)).toBeGreaterThan(10 * TOL);
    figures[caseId(model, c)] = {
      loss: rel(loss, r64.loss), grad: worst, lossAfterStep: rel(after, r64.loss_after), stepChange: rel(r64.loss_after, r64.loss), tensors: built.paramNames.length,
    };
  });

  it.each(CASES)('%s, %s: the encoder output PEFT saves as prompt_embeddings', async (model, c) => {
    const p = models.get(model) as Prepared;
    const cfg = PROMPT_CONFIGS[c];
    const eg = buildPromptEmbeddingGraph(p.spec, cfg);
    const s = await EngineSession.create(eg.serialize(), { intraOpThreads: 1 });
    try {
      const out = await s.run(promptFeeds(p.spec, cfg, initPromptParams(p.spec, cfg, seedOf(model, c))));
      expect([...out[eg.output].dims]).toEqual(eg.shape);
      const e = relError(out[eg.output].data as Float32Array, (ref[caseId(model, c)].float64 as PromptRefResult).prompt_embeddings);
      expect(e).toBeLessThanOrEqual(TOL);
    } finally {
      await s.release();
    }
  });
});
