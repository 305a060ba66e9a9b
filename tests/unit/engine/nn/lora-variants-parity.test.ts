// rsLoRA and DoRA parity with PyTorch (PEFT semantics, tests/reference/causal_lm_reference.py) on every tiny model:
// loss, gradients of A, B and DoRA's magnitudes, and one SGD step (p − lr·grad of the mean loss, then the loss again).
//
// Adapters have A and B non-zero, and DoRA magnitudes are the norms ‖W + s·B·A‖ perturbed by ±10 %, so every term of
// the DoRA output (the rescaled base, the rescaled LoRA path, the detached norm of a non-zero update) matters.
// Tolerances as parity.test.ts: loss 1e-5 relative, gradients max|Δ| / max|ref| ≤ 1e-4 per tensor, against float64.
// Also: DoRA with dropout (the engine's masks in dropout_reference.py), DoRA under emulated bf16/fp16 autocast
// (autocast_reference.py), and DoRA at initialisation (B = 0, m = ‖W‖) giving the base model's loss.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Prng, buildEvalGraph, buildTrainGraph, checkpointWeightReader, initDoraMagnitudes, initLoraWeights, loraModules, loraTensors, type LoraConfig,
} from '../../../../src-main/engine/nn';
import { DROPOUT_MASK_PREFIX } from '../../../../src-main/engine/nn/dropout';
import { PYTHON, hasTorch, runReference, type RefCase, type RefResult, type RefResults } from '../../../reference/reference';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, relError, runBuilt } from './checkpoint';
import { adapterFeeds, makeBatch, prepare, randomAdapter, writeAdapter, type Batch, type Prepared } from './fixtures';

const LOSS_TOL = 1e-5;
const GRAD_TOL = 1e-4;
const LR = 0.5;
const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const VARIANTS: Record<string, LoraConfig> = {
  // s = 2 or 3 (α/√r = 4/2 or 6/2, α/r = 8/4), near parity.test.ts's 2: a larger update only makes the tiny models
  // worse conditioned. An α/r reading of the rsLoRA configs would give s = 1 or 1.5 and fail.
  rslora: { r: 4, alpha: 4, targets: 'all-linear', useRslora: true },
  dora: { r: 4, alpha: 8, targets: 'all-linear', useDora: true },
  'dora+rslora': { r: 4, alpha: 6, targets: 'all-linear', useDora: true, useRslora: true },
};
const MODELS = TINY_MODELS.filter((m) => m.id !== 'qwen3-sharded').map((m) => m.id); // sharding is parity.test.ts's

const work = mkdtempSync(join(tmpdir(), 'nn-lora-variants-'));
const figures: Record<string, Record<string, number>> = {};
const prepared = new Map<string, Prepared & { batch: Batch }>();
const adapters = new Map<string, Map<string, Float32Array>>();
let ref: RefResults = {};

afterAll(() => {
  console.log(`lora variants parity figures (rel errors vs torch float64): ${JSON.stringify(figures, null, 1)}`);
  rmSync(work, { recursive: true, force: true });
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const model = (id: string) => TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number];

/** A, B random and non-zero; DoRA magnitudes ‖W + s·B·A‖·(1 ± 0.1), so k = m/‖·‖ is not 1. */
function variantAdapter(p: Prepared, cfg: LoraConfig, seed: number): Map<string, Float32Array> {
  const values = randomAdapter(p.spec, cfg, seed);
  if (!cfg.useDora) return values;
  const rng = new Prng(seed + 7);
  for (const [name, m] of initDoraMagnitudes(p.spec, cfg, checkpointWeightReader(p.modelDir), values)) {
    values.set(name, m.map((v) => v * (0.9 + 0.2 * rng.uniform())));
  }
  return values;
}

function refLora(cfg: LoraConfig, file: string): NonNullable<RefCase['lora']> {
  return { r: cfg.r, alpha: cfg.alpha, targets: ALL, file, use_rslora: cfg.useRslora, use_dora: cfg.useDora };
}

beforeAll(() => {
  const cases: RefCase[] = [];
  for (const id of MODELS) {
    const p = prepare(work, model(id));
    const batch = makeBatch(p.spec.vocabSize, 500 + model(id).seed);
    prepared.set(id, { ...p, batch });
    for (const [variant, cfg] of Object.entries(VARIANTS)) {
      const key = `${id}/${variant}`;
      const values = variantAdapter(p, cfg, 600 + model(id).seed);
      adapters.set(key, values);
      const file = join(work, id, `${variant}.safetensors`);
      writeAdapter(file, p.spec, cfg, values);
      cases.push({ id: key, model_dir: p.modelDir, input_ids: batch.inputIds, labels: batch.labels, lora: refLora(cfg, file), dtypes: ['float64'], sgd_lr: LR });
    }
  }
  for (const precision of ['bf16', 'fp16'] as const) {
    const p = prepared.get('qwen2') as Prepared & { batch: Batch };
    const lora = refLora(VARIANTS.dora, join(work, 'qwen2', 'dora.safetensors'));
    cases.push({ id: `qwen2/dora/${precision}`, model_dir: p.modelDir, input_ids: p.batch.inputIds, labels: p.batch.labels, lora, dtypes: ['float32'], precision });
  }
  if (hasTorch) ref = runReference(cases, work);
}, 180_000);

function feeds(p: Prepared & { batch: Batch }, cfg: LoraConfig, values: Map<string, Float32Array>) {
  return { input_ids: int64Feed(p.batch.inputIds), labels: int64Feed(p.batch.labels), ...adapterFeeds(p.spec, cfg, values) };
}

describe.skipIf(!hasTorch)('rsLoRA / DoRA parity with PyTorch (skipped: /usr/bin/python3 has no torch)', () => {
  const ids = MODELS.flatMap((id) => Object.keys(VARIANTS).map((v) => [id, v] as [string, string]));
  it.each(ids)('%s %s: loss, gradients of every adapter tensor, and one SGD step', async (id, variant) => {
    const p = prepared.get(id) as Prepared & { batch: Batch };
    const cfg = VARIANTS[variant];
    const key = `${id}/${variant}`;
    const values = adapters.get(key) as Map<string, Float32Array>;
    const built = buildTrainGraph(p.spec, p.weights, { lora: cfg });
    expect(built.paramNames).toEqual(loraTensors(p.spec, cfg).map((t) => t.name));
    const out = await runBuilt(built, p.graphDir, feeds(p, cfg, values), `${variant}.onnx`);
    const r64 = ref[key].float64 as RefResult;
    const loss = Number(out.loss.data[0]);
    expect(rel(loss, r64.loss)).toBeLessThanOrEqual(LOSS_TOL);
    expect(Number(out.token_count.data[0])).toBe(r64.token_count);

    let worst = 0;
    let worstM = 0;
    const stepped = new Map<string, Float32Array>();
    const n = r64.token_count;
    for (const name of built.paramNames) {
      const g = out[`grad.${name}`].data as Float32Array;
      const e = relError(g, r64.grads[name]);
      expect(e, name).toBeLessThanOrEqual(GRAD_TOL);
      expect(Math.max(...r64.grads[name].map(Math.abs)), `${name} gradient is not trivially zero`).toBeGreaterThan(1e-5);
      if (name.endsWith('lora_magnitude_vector')) worstM = Math.max(worstM, e);
      else worst = Math.max(worst, e);
      const v = values.get(name) as Float32Array;
      stepped.set(name, v.map((x, i) => x - LR * (g[i] / n)));
    }
    if (cfg.useDora) expect(built.paramNames.filter((x) => x.endsWith('.lora_magnitude_vector'))).toHaveLength(loraModules(p.spec, cfg).length);

    // The step: our parameters move as torch's do (relative to the step's size), and the loss after it agrees.
    let worstStep = 0;
    for (const name of built.paramNames) {
      const before = values.get(name) as Float32Array;
      const ours = (stepped.get(name) as Float32Array).map((x, i) => x - before[i]);
      const theirs = (r64.stepped as Record<string, number[]>)[name].map((x, i) => x - before[i]);
      worstStep = Math.max(worstStep, relError(ours, theirs));
    }
    expect(worstStep).toBeLessThanOrEqual(GRAD_TOL);
    const after = await runBuilt(buildEvalGraph(p.spec, p.weights, { lora: cfg }), p.graphDir, feeds(p, cfg, stepped), `${variant}-eval.onnx`);
    const lossAfter = Number(after.loss.data[0]);
    const refAfter = r64.loss_after as number;
    expect(rel(lossAfter, refAfter)).toBeLessThanOrEqual(LOSS_TOL);
    expect(rel(refAfter, r64.loss)).toBeGreaterThan(1e-4); // the step really moves the loss
    figures[key] = { lossShiftOfStep: rel(refAfter, r64.loss), lossVsF64: rel(loss, r64.loss), gradABVsF64: worst, gradMVsF64: worstM, stepVsF64: worstStep, lossAfterVsF64: rel(lossAfter, refAfter) };
  }, 60_000);

  // The references round where the engine rounds, so the loss agrees to float32 accumulation order. Gradients pass
  // through dozens of low-precision roundings in the backward pass; a value on a rounding boundary flips by one ulp
  // (float32 sums in another order) and later roundings carry the flip, so gradients agree to a few ulps of the format
  // relative to the tensor's largest value (measured: ≤ 1 ulp in bf16, ≤ 1.7 in fp16), against autocast's own effect
  // of 5–35 % on this adapter in bf16. A misplaced rounding or a term outside fp32 would err by far more.
  it.each(['bf16', 'fp16'] as const)('DoRA under emulated %s autocast: loss and gradients as autocast_reference.py rounds them', async (precision) => {
    const p = prepared.get('qwen2') as Prepared & { batch: Batch };
    const cfg = VARIANTS.dora;
    const built = buildTrainGraph(p.spec, p.weights, { lora: cfg, precision });
    const out = await runBuilt(built, p.graphDir, feeds(p, cfg, adapters.get('qwen2/dora') as Map<string, Float32Array>), `dora-${precision}.onnx`);
    const r = ref[`qwen2/dora/${precision}`].float32 as RefResult;
    const r64 = ref['qwen2/dora'].float64 as RefResult;
    const lossRel = rel(Number(out.loss.data[0]), r.loss);
    expect(lossRel).toBeLessThanOrEqual(5e-5); // measured 1e-7 (bf16), 8e-6 (fp16: a forward flip or two)
    const ulp = precision === 'bf16' ? 2 ** -7 : 2 ** -10;
    let worst = 0;
    let effect = 0;
    for (const name of built.paramNames) {
      const e = relError(out[`grad.${name}`].data as Float32Array, r.grads[name]);
      expect(e, name).toBeLessThanOrEqual(4 * ulp);
      worst = Math.max(worst, e);
      effect = Math.max(effect, relError(r.grads[name], r64.grads[name]));
    }
    figures[`qwen2/dora/${precision}`] = { lossVsRef: lossRel, gradVsRefInUlps: worst / ulp, autocastEffectOnGrads: effect, lossShiftVsF64: rel(r.loss, r64.loss) };
  }, 60_000);

  it('DoRA with dropout p = 0.25: PEFT recomputes the rescaled base part from the dropped input; same masks, same numbers', async () => {
    const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../../reference/dropout_reference.py');
    const p = prepared.get('qwen2') as Prepared & { batch: Batch }; // q/k/v biases: the base part leaves them out
    const cfg: LoraConfig = { ...VARIANTS.dora, dropout: 0.25 };
    const values = adapters.get('qwen2/dora') as Map<string, Float32Array>;
    const built = buildTrainGraph(p.spec, p.weights, { lora: cfg, dropoutMasks: true });
    const out = await runBuilt(built, p.graphDir, {
      ...feeds(p, cfg, values),
      lora_dropout_seed: { data: BigInt64Array.of(5n), dims: [] }, lora_dropout_step: { data: BigInt64Array.of(3n), dims: [] },
    }, 'dora-dropout.onnx');
    const masks = Object.fromEntries(loraModules(p.spec, cfg).map((m) => [m.module, Array.from(out[`${DROPOUT_MASK_PREFIX}${m.module}`].data as Uint8Array)]));
    const job = join(work, 'dora-dropout-job.json');
    const lora = { ...refLora(cfg, join(work, 'qwen2', 'dora.safetensors')), dropout: 0.25 };
    writeFileSync(job, JSON.stringify({ cases: [{ id: 'd', model_dir: p.modelDir, input_ids: p.batch.inputIds, labels: p.batch.labels, lora, masks }] }));
    const r64 = (JSON.parse(execFileSync(PYTHON, [SCRIPT, job], { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' } })) as RefResults).d.float64 as RefResult;
    const loss = Number(out.loss.data[0]);
    expect(rel(loss, r64.loss)).toBeLessThanOrEqual(LOSS_TOL);
    let worst = 0;
    for (const name of built.paramNames) {
      const e = relError(out[`grad.${name}`].data as Float32Array, r64.grads[name]);
      expect(e, name).toBeLessThanOrEqual(GRAD_TOL);
      worst = Math.max(worst, e);
    }
    // The masks matter: the same adapter without dropout gives another loss.
    const shift = rel(loss, (ref['qwen2/dora'].float64 as RefResult).loss);
    expect(shift).toBeGreaterThan(1e-4);
    figures['qwen2/dora+dropout'] = { lossVsF64: rel(loss, r64.loss), gradVsF64: worst, lossShiftVsNoDropout: shift };
  }, 60_000);
});

describe('DoRA at initialisation', () => {
  it.each(['qwen2', 'llama-bf16'])('%s: with B = 0 and m = ‖W‖ the loss is the base model loss; dm is non-zero, dA zero', async (id) => {
    const p = prepared.get(id) as Prepared; // prepared in beforeAll, with or without torch
    const batch = makeBatch(p.spec.vocabSize, 9);
    const cfg = VARIANTS.dora;
    const init = initLoraWeights(p.spec, cfg, 3);
    for (const [name, m] of initDoraMagnitudes(p.spec, cfg, checkpointWeightReader(p.modelDir), init)) init.set(name, m);
    const f = { input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels) };
    const base = await runBuilt(buildEvalGraph(p.spec, p.weights), p.graphDir, f, 'base.onnx');
    const out = await runBuilt(buildTrainGraph(p.spec, p.weights, { lora: cfg }), p.graphDir, { ...f, ...adapterFeeds(p.spec, cfg, init) }, 'dora-init.onnx');
    // m/‖W‖ is 1 up to the last bit of a float32 norm (host float64 vs onnxruntime's float32 sum), so (k − 1)·base is
    // at most ~1e-7 of base: the loss agrees far below the parity bar.
    const shift = rel(Number(out.loss.data[0]), Number(base.loss.data[0]));
    expect(shift).toBeLessThanOrEqual(1e-6);
    const q = 'base_model.model.model.layers.0.self_attn.q_proj';
    expect(Math.max(...Array.from(out[`grad.${q}.lora_magnitude_vector`].data as Float32Array, Math.abs))).toBeGreaterThan(0);
    expect(Math.max(...Array.from(out[`grad.${q}.lora_B.weight`].data as Float32Array, Math.abs))).toBeGreaterThan(0);
    expect(Array.from(out[`grad.${q}.lora_A.weight`].data as Float32Array).every((v) => v === 0)).toBe(true);
    figures[`${id}/dora-init`] = { lossShiftVsBase: shift };
  });
});
