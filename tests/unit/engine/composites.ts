// Composite test models built from primitives: MLP + softmax cross-entropy, LoRA with a frozen base weight.

import { tensor, type Value } from '../../../src-main/engine/ir';
import type { BuildFn, FdBuilder } from './fd-check';

/** A frozen float64 weight stored as an initializer. */
export function frozen(b: FdBuilder, name: string, dims: number[]): Value {
  return b.g.initializer(name, tensor('float64', dims, b.random(dims.reduce((x, y) => x * y, 1))), { frozen: true });
}

/** loss = mean over rows of −log softmax(logits)[label]. */
export function crossEntropy(b: FdBuilder, logits: Value, labels: Value): Value {
  const g = b.g;
  const logp = g.logSoftmax(logits, -1);
  const picked = g.gatherElements(logp, g.unsqueeze(labels, [1]), 1); // [N, 1]
  return g.reduceMean(g.neg(g.squeeze(picked, [1])), [0]);
}

/** y = x Wᵀ (+ bias). */
export function linear(b: FdBuilder, x: Value, w: Value, bias?: Value): Value {
  const y = b.g.matmul(x, b.g.transpose(w, [1, 0]));
  return bias ? b.g.add(y, bias) : y;
}

/** N=4 rows, 3 features → 5 hidden (tanh) → 3 classes; all weights trainable. */
export const mlp: BuildFn = (b) => {
  const x = b.input('x', [4, 3]);
  const labels = b.feed('labels', 'int64', [4], BigInt64Array.from([0n, 2n, 1n, 2n]));
  const h = b.g.tanh(linear(b, x, b.param('w1', [5, 3]), b.param('b1', [5])));
  return crossEntropy(b, linear(b, h, b.param('w2', [3, 5]), b.param('b2', [3])), labels);
};

/** LoRA on a frozen W: y = x Wᵀ + s·(x Aᵀ)Bᵀ, x [B, S, in=4], A [r=2, in], B [out=5, r]. */
export const lora: BuildFn = (b) => {
  const x = b.input('x', [2, 3, 4], { declared: ['B', 'S', 4] });
  const w = frozen(b, 'W', [5, 4]);
  const a = b.param('A', [2, 4]);
  const bb = b.param('B', [5, 2]); // nonzero here, else dA would be trivially 0
  const scaled = b.g.mul(linear(b, linear(b, x, a), bb), b.g.scalar(0.5, 'float64'));
  return b.g.add(linear(b, x, w), scaled);
};

/** A frozen layer between a trainable layer and the loss: gradients must flow through it. */
export const frozenMiddle: BuildFn = (b) => {
  const x = b.input('x', [4, 3]);
  const labels = b.feed('labels', 'int64', [4], BigInt64Array.from([1n, 0n, 2n, 1n]));
  const h = b.g.sigmoid(linear(b, x, b.param('w1', [5, 3])));
  return crossEntropy(b, linear(b, h, frozen(b, 'w2', [3, 5])), labels);
};
