// MatMul: batched A[..., M, K] @ B[..., K, N] with broadcast batch dims; grads dA = dY Bᵀ, dB = Aᵀ dY, un-broadcast.

import type { OpDef } from '../ir/op-def';
import { broadcastShapes } from '../ir/shape';
import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { emitAs, expectFloat, expectInputs, only, unbroadcast } from './helpers';

/** Swaps the last two axes. */
function swapLast(g: Graph, x: Value): Value {
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return g.transpose(x, perm);
}

/**
 * dB for the linear-layer case A[..., K] @ B[K, N]: fold all leading dims of A and dY into the rows
 * so dB is one [K, rows] @ [rows, N] GEMM, instead of a batched product followed by a ReduceSum.
 */
function weightGrad(g: Graph, a: Value, b: Value, dy: Value): Value {
  const [k, n] = [b.shape[0], b.shape[1]];
  if (a.rank > 2 && typeof k === 'number' && typeof n === 'number') {
    const a2 = g.reshape(a, [-1, k]);
    const dy2 = g.reshape(dy, [-1, n]);
    return g.matmul(g.transpose(a2, [1, 0]), dy2);
  }
  return unbroadcast(g, g.matmul(swapLast(g, a), dy), b.shape);
}

export const MatMul: OpDef = {
  name: 'MatMul',
  infer: (inputs) => {
    expectInputs('MatMul', inputs, 2);
    const [a, b] = inputs;
    expectFloat('MatMul', a);
    if (a.dtype !== b.dtype) throw new Error(`MatMul: dtype mismatch ${a} vs ${b}`);
    if (a.rank < 2 || b.rank < 2) throw new Error(`MatMul: operands must have rank >= 2 (unsqueeze vectors): ${a}, ${b}`);
    const ka = a.shape[a.rank - 1];
    const kb = b.shape[b.rank - 2];
    if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) throw new Error(`MatMul: K mismatch ${a} @ ${b}`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return [{ dtype: a.dtype, shape: [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]] }];
  },
  emit: emitAs('MatMul'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [a, b] = node.inputs;
    return [
      needs[0] ? unbroadcast(g, g.matmul(dy, swapLast(g, b)), a.shape) : null,
      needs[1] ? (b.rank === 2 ? weightGrad(g, a, b, dy) : unbroadcast(g, g.matmul(swapLast(g, a), dy), b.shape)) : null,
    ];
  },
};
