// SGD emitted into the update graph, as torch 1.13's `_single_tensor_sgd` (not maximize).
//
// Per parameter, with g already normalised and clipped:
//   d ← g + wd·p                              (when wd ≠ 0: L2 weight decay through the gradient)
//   buf ← d on the first step, else buf·μ + (1−dampening)·d        (when μ ≠ 0)
//   d ← d + μ·buf (Nesterov) or buf
//   p ← p + (−lr)·d
// torch creates the momentum buffer as a copy of d on its first step; our buffer starts at zero and
// the graph picks d while `step` ≤ 1, so the state can live in the same zero-initialised tensors as AdamW's.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';

export interface SgdOptions {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
}

export interface SgdResult {
  readonly param: Value;
  /** The new momentum buffer, or null without momentum. */
  readonly m: Value | null;
}

/**
 * One parameter's SGD update (float32). `negLr` is −(group lr) as float32 [], `firstStep` a bool []
 * (step ≤ 1), `buf` the momentum buffer input (null without momentum).
 */
export function sgdUpdate(
  g: Graph, p: Value, grad: Value, buf: Value | null, negLr: Value, firstStep: Value, weightDecay: number, o: SgdOptions,
): SgdResult {
  const f = (x: number) => g.scalar(x, 'float32');
  let d = weightDecay !== 0 ? g.add(grad, g.mul(p, f(weightDecay))) : grad;
  let m: Value | null = null;
  if (o.momentum !== 0) {
    if (!buf) throw new Error('sgdUpdate: momentum needs a buffer');
    m = g.where(firstStep, d, g.add(g.mul(buf, f(o.momentum)), g.mul(d, f(1 - o.dampening))));
    d = o.nesterov ? g.add(d, g.mul(m, f(o.momentum))) : m;
  }
  return { param: g.add(p, g.mul(d, negLr)), m };
}
