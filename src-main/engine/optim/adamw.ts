// AdamW emitted into the update graph, op for op as torch 1.13's `_single_tensor_adamw` (amsgrad off, not maximize).
//
// Per parameter, with g already normalised and clipped:
//   p ← p·(1 − lr·wd)                       decoupled weight decay first (skipped when wd = 0: ×1 is exact)
//   m ← m·β1 + (1−β1)·g
//   v ← v·β2 + (1−β2)·g·g
//   p ← p + (−lr/bc1)·m / (√v/√bc2 + eps)   bc1 = 1−β1^step, bc2 = 1−β2^step, eps outside the root
// torch computes lr·wd, bc1, bc2, lr/bc1 and √bc2 as Python floats (float64) and rounds each to
// float32 when it meets a tensor; we do those scalar sums in float64 inside the graph for the same reason
// (1 − 0.999 in float32 would already be off by 1e-5 relative).

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';

export const ADAMW_DEFAULTS = { betas: [0.9, 0.999] as const, eps: 1e-8 };

/** Scalars shared by every parameter of one group (float32, shape []). */
export interface AdamWGroupScalars {
  /** 1 − lr·wd, or null when wd = 0. */
  readonly decay: Value | null;
  /** −lr / bc1. */
  readonly negStepSize: Value;
  /** √bc2. */
  readonly bc2Sqrt: Value;
}

/** `groupLr` and `step` are float64 scalars. */
export function adamwGroupScalars(g: Graph, groupLr: Value, step: Value, weightDecay: number, betas: readonly [number, number]): AdamWGroupScalars {
  const one = g.scalar(1, 'float64');
  const decay = weightDecay !== 0 ? g.cast(g.sub(one, g.mul(groupLr, g.scalar(weightDecay, 'float64'))), 'float32') : null;
  const bc1 = g.sub(one, g.pow(g.scalar(betas[0], 'float64'), step));
  const bc2 = g.sub(one, g.pow(g.scalar(betas[1], 'float64'), step));
  return {
    decay,
    negStepSize: g.cast(g.neg(g.div(groupLr, bc1)), 'float32'),
    bc2Sqrt: g.cast(g.sqrt(bc2), 'float32'),
  };
}

export interface AdamWResult {
  readonly param: Value;
  readonly m: Value;
  readonly v: Value;
}

/** One parameter's AdamW update (all float32). */
export function adamwUpdate(
  g: Graph, p: Value, grad: Value, m: Value, v: Value, s: AdamWGroupScalars, betas: readonly [number, number], eps: number,
): AdamWResult {
  const f = (x: number) => g.scalar(x, 'float32');
  const [b1, b2] = betas;
  const decayed = s.decay ? g.mul(p, s.decay) : p;
  const m1 = g.add(g.mul(m, f(b1)), g.mul(grad, f(1 - b1)));
  const v1 = g.add(g.mul(v, f(b2)), g.mul(g.mul(grad, f(1 - b2)), grad));
  const denom = g.add(g.div(g.sqrt(v1), s.bc2Sqrt), f(eps));
  const param = g.add(decayed, g.div(g.mul(s.negStepSize, m1), denom));
  return { param, m: m1, v: v1 };
}
