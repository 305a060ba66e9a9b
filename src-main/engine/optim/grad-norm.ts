// Gradient preparation inside the update graph: loss-scale undo, token-count mean, global L2 norm, torch-style clipping.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';

/**
 * g ← g · (1/loss_scale) (when a scale is given; the reciprocal is taken in float64 and rounded to
 * float32, as GradScaler.unscale_ does), then g ← g / max(token_count, 1): the trainer feeds
 * gradients of the SUM of token losses, so this makes the step's loss the mean over all its
 * counted tokens, across micro-batches (the Hugging Face contract).
 */
export function normaliseGrads(g: Graph, grads: readonly Value[], tokenCount: Value, lossScale?: Value): Value[] {
  const denom = g.max(tokenCount, g.scalar(1, 'float32'));
  const inv = lossScale ? g.cast(g.reciprocal(g.cast(lossScale, 'float64')), 'float32') : null;
  return grads.map((x) => g.div(inv ? g.mul(x, inv) : x, denom));
}

/** Σ x² over every element of x, as a rank-0 value. */
function sumOfSquares(g: Graph, x: Value): Value {
  const sq = g.mul(x, x);
  return x.rank === 0 ? sq : g.reduceSum(sq, x.shape.map((_, i) => i), false);
}

/**
 * The global L2 norm structured like `torch.nn.utils.clip_grad_norm_` (norm_type 2): one norm per
 * tensor, then the norm of the stacked norms. Mathematically √Σx²; the two-level order keeps the
 * float32 rounding close to torch's.
 */
export function globalNorm(g: Graph, grads: readonly Value[]): Value {
  if (grads.length === 0) throw new Error('globalNorm: no gradients');
  const norms = grads.map((x) => g.unsqueeze(g.sqrt(sumOfSquares(g, x)), [0])); // each [1]
  const stacked = norms.length === 1 ? norms[0] : g.concat(norms, 0); // [P]
  return g.sqrt(g.reduceSum(g.mul(stacked, stacked), [0], false)); // []
}

/**
 * clip_coef = max_norm / (total_norm + 1e-6), clamped to at most 1 (NaN stays NaN, as torch.clamp),
 * multiplied into every gradient even when it is 1 (exact), as torch does.
 */
export function clipByGlobalNorm(g: Graph, grads: readonly Value[], totalNorm: Value, maxNorm: number): Value[] {
  const one = g.scalar(1, 'float32');
  const coef = g.div(g.scalar(maxNorm, 'float32'), g.add(totalNorm, g.scalar(1e-6, 'float32')));
  const clamped = g.where(g.greater(coef, one), one, coef);
  return grads.map((x) => g.mul(x, clamped));
}

/** True (bool, []) when the norm is finite: NaN and +inf both fail `norm < +inf`. */
export function isFiniteNorm(g: Graph, norm: Value): Value {
  return g.less(norm, g.scalar(Infinity, 'float32'));
}
