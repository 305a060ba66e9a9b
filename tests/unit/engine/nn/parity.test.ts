// Parity with PyTorch (HF semantics, tests/reference): loss and LoRA gradients of every family, tied weights, bf16/f16, shards.
//
// The engine runs float32 in onnxruntime; the reference runs float32 and float64 in one python call.
// Loss: |ours − ref| / |ref| ≤ 1e-5 against both references (the float64 one is the truth; the
// float32 one is what HF computes). Gradients: rel = max|ours − ref| / max|ref| per tensor,
// ≤ 1e-4, against float64. Measured figures are printed as JSON after the run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrainGraph, loraTensors, ropeInvFreq } from '../../../../src-main/engine/nn';
import type { Feed } from '../../../../src-main/engine/runtime';
import { readSafetensorsHeader, readTensorBytes } from '../../../../src-main/models/safetensors';
import { hasTorch, runReference, type RefCase, type RefResult, type RefResults } from '../../../reference/reference';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, relError, runBuilt } from './checkpoint';
import { LORA, adapterFeeds, countedTokens, makeBatch, prepare, randomAdapter, writeAdapter, type Batch, type Prepared } from './fixtures';

const LOSS_TOL = 1e-5;
const GRAD_TOL = 1e-4;

const work = mkdtempSync(join(tmpdir(), 'nn-parity-'));
const prepared = new Map<string, Prepared & { batch: Batch; adapter: Map<string, Float32Array> }>();
let ref: RefResults = {};
const figures: Record<string, Record<string, number>> = {};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

beforeAll(() => {
  const cases: RefCase[] = [];
  for (const m of TINY_MODELS) {
    const p = prepare(work, m);
    // Seeded by the model's seed: variants of one model (qwen3 / qwen3-sharded) see the same batch and adapter.
    const batch = makeBatch(p.spec.vocabSize, 100 + m.seed);
    const adapter = randomAdapter(p.spec, LORA, 200 + m.seed);
    const adapterFile = join(work, m.id, 'adapter.safetensors');
    writeAdapter(adapterFile, p.spec, LORA, adapter);
    prepared.set(m.id, { ...p, batch, adapter });
    const lora = { r: LORA.r, alpha: LORA.alpha, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], file: adapterFile };
    cases.push({ id: m.id, model_dir: p.modelDir, input_ids: batch.inputIds, labels: batch.labels, lora });
  }
  const tied = prepared.get('llama-tied') as Prepared & { batch: Batch };
  cases.push({ id: 'llama-tied/all', model_dir: tied.modelDir, input_ids: tied.batch.inputIds, labels: tied.batch.labels, lora: null, grad_weights: true, dtypes: ['float64'] });
  if (hasTorch) ref = runReference(cases, work);
}, 120_000);

afterAll(() => {
  console.log(`nn parity figures (rel errors; engine fp32 in ORT vs torch): ${JSON.stringify(figures, null, 1)}`);
  rmSync(work, { recursive: true, force: true });
});

function lossFigures(id: string, out: Record<string, { data: ArrayLike<unknown> }>, r64: RefResult, r32: RefResult) {
  const loss = Number(out.loss.data[0]);
  const lossSum = Number(out.loss_sum.data[0]);
  figures[id] = {
    loss: loss, lossVsF64: rel(loss, r64.loss), lossVsF32: rel(loss, r32.loss), lossSumVsF64: rel(lossSum, r64.loss_sum),
    torchF32VsF64: rel(r32.loss, r64.loss),
  };
  return { loss, lossSum };
}

describe.skipIf(!hasTorch)('causal LM parity with PyTorch (skipped: /usr/bin/python3 has no torch)', () => {
  it.each(TINY_MODELS.map((m) => m.id))('%s: loss and all-linear LoRA gradients (r=4, A and B non-zero)', async (id) => {
    const p = prepared.get(id) as Prepared & { batch: Batch; adapter: Map<string, Float32Array> };
    const built = buildTrainGraph(p.spec, p.weights, { lora: LORA, trainable: 'lora' });
    expect(built.paramNames).toEqual(loraTensors(p.spec, LORA).map((t) => t.name));
    expect(built.bf16Initializers.length > 0).toBe(p.model.dtype === 'BF16');
    const out = await runBuilt(built, p.graphDir, {
      input_ids: int64Feed(p.batch.inputIds), labels: int64Feed(p.batch.labels), ...adapterFeeds(p.spec, LORA, p.adapter),
    });
    const [r64, r32] = [ref[id].float64 as RefResult, ref[id].float32 as RefResult];
    const { loss, lossSum } = lossFigures(id, out, r64, r32);
    expect(Number(out.token_count.data[0])).toBe(countedTokens(p.batch.labels));
    expect(r64.token_count).toBe(countedTokens(p.batch.labels));
    expect(rel(loss, r32.loss)).toBeLessThanOrEqual(LOSS_TOL);
    expect(rel(loss, r64.loss)).toBeLessThanOrEqual(LOSS_TOL);
    expect(rel(lossSum, r64.loss_sum)).toBeLessThanOrEqual(LOSS_TOL);

    let worst = 0;
    let worst32 = 0;
    for (const name of built.paramNames) {
      const ours = out[`grad.${name}`].data as Float32Array;
      const e = relError(ours, r64.grads[name]);
      expect(e, name).toBeLessThanOrEqual(GRAD_TOL);
      expect(Math.max(...r64.grads[name].map(Math.abs)), `${name} gradient is not trivially zero`).toBeGreaterThan(1e-4);
      worst = Math.max(worst, e);
      worst32 = Math.max(worst32, relError(ours, r32.grads[name]));
    }
    Object.assign(figures[id], { gradVsF64: worst, gradVsF32: worst32, gradTensors: built.paramNames.length });
  });

  it.each(TINY_MODELS.map((m) => m.id))('%s: RoPE inv_freq equals HF float32 values (llama3 scaling included)', (id) => {
    const ours = ropeInvFreq((prepared.get(id) as Prepared).spec);
    const theirs = (ref[id].float32 as RefResult).inv_freq;
    // Identical float32 values; a 1-ulp difference (powf vs Math.pow) would be tolerable but is not seen here.
    expect(relError(ours, theirs)).toBeLessThanOrEqual(1.2e-7);
    figures[id] = { ...figures[id], invFreqMaxRel: relError(ours, theirs) };
  });

  it('a sharded checkpoint gives exactly the single-file numbers', () => {
    expect(figures['qwen3-sharded'].loss).toBe(figures.qwen3.loss);
  });

  it("llama-tied, trainable 'all': gradients of every base weight, the tied embedding summing both uses", async () => {
    const p = prepared.get('llama-tied') as Prepared & { batch: Batch };
    const built = buildTrainGraph(p.spec, p.weights, { trainable: 'all' });
    expect(built.weightInputs).toContain('model.embed_tokens.weight');
    expect(built.weightInputs).not.toContain('lm_head.weight');
    const header = readSafetensorsHeader(join(p.modelDir, 'model.safetensors'));
    const feeds: Record<string, Feed> = { input_ids: int64Feed(p.batch.inputIds), labels: int64Feed(p.batch.labels) };
    for (const name of built.weightInputs) {
      const loc = header.tensors.get(name);
      if (!loc) throw new Error(`fixture lacks ${name}`);
      const bytes = readTensorBytes(loc);
      feeds[name] = { data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice(), dims: loc.shape };
    }
    const out = await runBuilt(built, p.graphDir, feeds, 'all.onnx');
    const r64 = ref['llama-tied/all'].float64 as RefResult;
    expect(rel(Number(out.loss.data[0]), r64.loss)).toBeLessThanOrEqual(LOSS_TOL);
    let worst = 0;
    for (const name of built.weightInputs) {
      const e = relError(out[`grad.${name}`].data as Float32Array, r64.grads[name]);
      expect(e, name).toBeLessThanOrEqual(GRAD_TOL);
      worst = Math.max(worst, e);
    }
    figures['llama-tied/all'] = { lossVsF64: rel(Number(out.loss.data[0]), r64.loss), gradVsF64: worst, gradTensors: built.weightInputs.length };
  });
});

