// DoRA (weight-decomposed LoRA, PEFT use_dora): the graph's output of an adapted projection, and the magnitudes' start.
//
// Semantics from PEFT tuners/lora/dora.py (DoraLinearLayer) and tuners/lora/variants.py (DoraLinearVariant):
//   n  = ‖W + s·B·A‖ per output row (norm over the input dim), detached: no gradient (DoRA paper §4.3)
//   k  = m / n                                   [out]; m is the trained magnitude, started at n (so k = 1 at step 0)
//   y  = base + (k − 1) ⊙ base_result + k ⊙ lora_result · s,   lora_result = (x' Aᵀ) Bᵀ
// base is the layer's own output (bias included). Without dropout base_result = base − bias; with dropout in training
// PEFT drops x once, x' = dropout(x), and recomputes base_result = x' Wᵀ (no bias), so the rescaled part of the base
// output sees the same mask as the LoRA path.

import type { ModelSpec } from '../../common/model-spec';
import { checkpointTensors } from '../io/checkpoint-files';
import { decodeFloats } from '../io/float-codec';
import { readTensorBytes } from '../io/safetensors';
import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { stopGradient } from '../ops/stop-gradient';
import { type LoraConfig, loraModules, loraScale, magnitudeName, peftName } from './lora';
import { amatmul, lowp, lowpMatmul, type ComputePrecision } from './precision';

export interface DoraParts {
  /** What the LoRA path reads: x, or x with the dropped elements zeroed (not yet scaled by dropFactor). */
  x: Value;
  dropped: boolean;
  /** 1/(1−p) with dropout (inverted dropout, folded in after the matmuls), else 1. */
  dropFactor: number;
  /** (x Aᵀ) Bᵀ without the scale: [..., out]. */
  xab: Value;
  /** The layer's output x Wᵀ (+ bias): [..., out]. */
  base: Value;
  weight: Value;
  bias?: Value;
  a: Value;
  b: Value;
  /** The magnitude [out]. */
  m: Value;
  /** s: alpha/r or alpha/√r. */
  scale: number;
  precision?: ComputePrecision;
}

/**
 * The DoRA projection output. Under emulated autocast only the matmuls run in the low format (B·A for the norm as
 * PEFT's lora_B(lora_A(eye)) does, and x'Wᵀ with dropout); the norm, k and the combination stay fp32 as in PEFT, where
 * they are fp32 tensors outside autocast's matmul list. The sum is written in the layer's (low) result dtype.
 */
export function doraOutput(g: Graph, d: DoraParts): Value {
  const f32 = (v: number) => g.scalar(v, 'float32');
  const p = d.precision;
  const delta = amatmul(g, d.b, d.a, p); // [out, in]
  const merged = g.add(d.weight, g.mul(delta, f32(d.scale)));
  const norm = stopGradient(g, g.sqrt(g.reduceSum(g.mul(merged, merged), [1], false))); // [out]
  const k = g.div(d.m, norm); // [out], broadcast over [..., out]
  let baseResult: Value;
  if (d.dropped) {
    // layers.ts linear()'s autocast pattern: W rounded before the transpose, so a bf16/fp16 checkpoint's W is not re-rounded.
    const xw = lowp(g, lowpMatmul(g, lowp(g, d.x, p), g.transpose(lowp(g, d.weight, p), [1, 0]), p), p);
    baseResult = g.mul(xw, f32(d.dropFactor));
  } else {
    baseResult = d.bias ? g.sub(d.base, d.bias) : d.base;
  }
  const rescaled = g.mul(g.sub(k, f32(1)), baseResult);
  const lora = g.mul(g.mul(k, d.xab), f32(d.scale * d.dropFactor));
  return lowp(g, g.add(d.base, g.add(rescaled, lora)), p);
}

/** Reads a base weight by checkpoint name as float32 (F32, F16 or BF16 stored). */
export type WeightReader = (name: string) => Float32Array;

/** A WeightReader over a Hugging Face model folder (single file or shards). */
export function checkpointWeightReader(modelDir: string): WeightReader {
  const tensors = checkpointTensors(modelDir);
  return (name) => {
    const loc = tensors.get(name);
    if (!loc) throw new Error(`${modelDir} has no tensor ${name}`);
    if (loc.dtype !== 'F32' && loc.dtype !== 'F16' && loc.dtype !== 'BF16') throw new Error(`${name} in ${loc.file} is ${loc.dtype}; DoRA needs F32, F16 or BF16 weights.`);
    return decodeFloats(readTensorBytes(loc), loc.dtype);
  };
}

/**
 * DoRA's initial magnitudes, as PEFT's DoraLinearLayer.update_layer sets them: m = ‖W + s·B·A‖ per output row, from
 * the current A and B when `adapter` holds them (B = 0 for a fresh adapter, so m = ‖W‖). Rows are summed in float64
 * and rounded once to float32. Keys are magnitudeName(module), the graph inputs and PEFT's saved names.
 */
export function initDoraMagnitudes(spec: ModelSpec, cfg: LoraConfig, read: WeightReader, adapter?: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  const s = loraScale(cfg);
  const out = new Map<string, Float32Array>();
  for (const mod of loraModules(spec, cfg)) {
    const { outFeatures: rows, inFeatures: cols } = mod;
    const w = read(`${mod.module}.weight`);
    if (w.length !== rows * cols) throw new Error(`${mod.module}.weight has ${w.length} values, expected [${rows}, ${cols}]`);
    const a = adapter?.get(peftName(mod.module, 'A'));
    const b = adapter?.get(peftName(mod.module, 'B'));
    out.set(magnitudeName(mod.module), rowNorms(w, rows, cols, a && b ? { a, b, r: cfg.r, s } : null));
  }
  return out;
}

/** ‖W + s·B·A‖ per row in float64, rounded to float32. */
export function rowNorms(w: Float32Array, rows: number, cols: number, update: { a: Float32Array; b: Float32Array; r: number; s: number } | null): Float32Array {
  const norms = new Float32Array(rows);
  const row = new Float64Array(cols);
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < cols; i++) row[i] = w[o * cols + i];
    if (update) {
      const { a, b, r, s } = update;
      for (let k = 0; k < r; k++) {
        const c = s * b[o * r + k];
        if (c !== 0) for (let i = 0; i < cols; i++) row[i] += c * a[k * cols + i];
      }
    }
    let sq = 0;
    for (let i = 0; i < cols; i++) sq += row[i] * row[i];
    norms[o] = Math.sqrt(sq);
  }
  return norms;
}
