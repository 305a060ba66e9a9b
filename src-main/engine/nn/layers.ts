// Composite layers from primitives: linear (+ LoRA), RMSNorm, SiLU, SwiGLU MLP. No gradient rules of their own.

import type { ModelSpec } from '../../common/model-spec';
import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import type { LoraAdapter, LoraTarget } from './lora';
import { projectionDims } from './lora';
import { fp8Linear } from '../precision/fp8-linear';
import { lowp, lowpMatmul, type ComputePrecision } from './precision';
import type { WeightSource } from './weights';

/** What every layer function needs: the graph, the config, the weights, the adapter (if any). */
export interface LayerContext {
  g: Graph;
  spec: ModelSpec;
  weights: WeightSource;
  lora: LoraAdapter | null;
  /** Emulated autocast for the matmuls (precision.ts); absent or 'fp32': plain fp32. */
  precision?: ComputePrecision;
  /**
   * BuildOptions.exposeActivations: records a forward value (by its site's checkpoint name, e.g.
   * `model.layers.0.mlp.down_proj.input`) to become the graph output `act.<name>`; absent, nothing is added.
   */
  tap?: (name: string, v: Value) => void;
}

/**
 * y = x Wᵀ (+ b); x: [..., in], W: [out, in] → [..., out]. Under fp16/bf16 autocast x, W and y (after the bias, as
 * addmm writes it) are low-precision copies. Under 'fp8' this is bf16 (the prompt encoders' linears); the decoder
 * projections take fp8Linear (projection below).
 */
export function linear(g: Graph, x: Value, w: Value, bias?: Value, precision?: ComputePrecision): Value {
  if (!precision || precision === 'fp32') {
    const y = g.matmul(x, g.transpose(w, [1, 0]));
    return bias ? g.add(y, bias) : y;
  }
  const y = lowpMatmul(g, lowp(g, x, precision), g.transpose(lowp(g, w, precision), [1, 0]), precision);
  return lowp(g, bias ? g.add(y, lowp(g, bias, precision)) : y, precision);
}

/**
 * A decoder projection by checkpoint name (`model.layers.0.self_attn.q_proj`), with its bias when
 * `bias` and LoRA when the adapter targets it: x: [..., in] → [..., out].
 */
export function projection(ctx: LayerContext, x: Value, module: string, target: LoraTarget, bias = false): Value {
  const [inF, outF] = projectionDims(ctx.spec)[target];
  const w = ctx.weights.get(`${module}.weight`, [outF, inF]);
  const b = bias ? ctx.weights.get(`${module}.bias`, [outF]) : undefined;
  // fp8: TE's fp8 Linear for the base projection; the LoRA A/B matmuls stay bf16 (amatmul), TE having no adapters.
  const y = ctx.precision === 'fp8' ? fp8Linear(ctx.g, x, w, b, module) : linear(ctx.g, x, w, b, ctx.precision);
  // DoRA needs W itself (its row norms) and the bias (its rescaling leaves the bias out).
  return ctx.lora ? ctx.lora.apply(module, x, y, w, b) : y;
}

/** HF LlamaRMSNorm in fp32: x · 1/√(mean(x²) + eps) · weight, over the last axis of x: [..., D]. */
export function rmsNorm(g: Graph, x: Value, weight: Value, eps: number): Value {
  const variance = g.reduceMean(g.mul(x, x), [-1], true); // [..., 1]
  const inv = g.reciprocal(g.sqrt(g.add(variance, g.scalar(eps, 'float32')))); // [..., 1]
  return g.mul(weight, g.mul(x, inv));
}

/** The RMSNorm whose weight is checkpoint tensor `name` ([D]). */
export function rmsNormNamed(ctx: LayerContext, x: Value, name: string, dim: number): Value {
  return rmsNorm(ctx.g, x, ctx.weights.get(name, [dim]), ctx.spec.rmsNormEps);
}

export function silu(g: Graph, x: Value): Value {
  return g.mul(x, g.sigmoid(x));
}

/** LlamaMLP: down(silu(gate(x)) ⊙ up(x)); x: [B, S, H] → [B, S, H] through [B, S, I]. */
export function swiGlu(ctx: LayerContext, x: Value, layer: number): Value {
  const p = `model.layers.${layer}.mlp`;
  const gate = projection(ctx, x, `${p}.gate_proj`, 'gate_proj'); // [B, S, I]
  const up = projection(ctx, x, `${p}.up_proj`, 'up_proj'); // [B, S, I]
  const act = ctx.g.mul(silu(ctx.g, gate), up); // [B, S, I]
  ctx.tap?.(`${p}.down_proj.input`, act);
  return projection(ctx, act, `${p}.down_proj`, 'down_proj'); // [B, S, H]
}
