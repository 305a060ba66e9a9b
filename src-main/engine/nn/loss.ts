// The masked, shifted causal-LM loss (HF ForCausalLMLoss): SUM of NLL over counted tokens, and their count.
//
// labels are aligned with input_ids and shifted here: position t predicts labels[t+1]; −100 is
// ignored. The trainer divides the step's summed loss_sum by the step's total token_count across
// micro-batches, which is HF's num_items_in_batch contract (DESIGN §3).

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';

export const IGNORE_INDEX = -100;

export interface MaskedLoss {
  lossSum: Value; // [] float32: Σ −log p(label) over counted tokens
  tokenCount: Value; // [] float32: number of counted tokens (exact below 2^24)
  loss: Value; // [] float32: lossSum / max(tokenCount, 1)
}

/** logits: [B, S-1, V] for positions 0..S-2; labels: int64 [B, S] (unshifted). */
export function maskedCrossEntropy(g: Graph, logits: Value, labels: Value): MaskedLoss {
  const target = g.slice(labels, { starts: [1], ends: [2 ** 31 - 1], axes: [1] }); // [B, S-1]
  const ignored = g.equal(target, g.scalar(IGNORE_INDEX, 'int64')); // [B, S-1] true where ignored
  const safe = g.where(ignored, g.scalar(0, 'int64'), target); // [B, S-1] valid class ids
  const weight = g.where(ignored, g.scalar(0, 'float32'), g.scalar(1, 'float32')); // [B, S-1]
  const logp = g.logSoftmax(logits, -1); // [B, S-1, V] in fp32
  const picked = g.squeeze(g.gatherElements(logp, g.unsqueeze(safe, [2]), 2), [2]); // [B, S-1]
  const lossSum = g.neg(g.reduceSum(g.mul(picked, weight), [0, 1], false)); // []
  const tokenCount = g.reduceSum(weight, [0, 1], false); // []
  const loss = g.div(lossSum, g.max(tokenCount, g.scalar(1, 'float32'))); // []
  return { lossSum, tokenCount, loss };
}
