// torch.nn.LSTM (batch of one, bidirectional, h0 = c0 = 0, no dropout) unrolled over a static sequence length.
//
// The IR has no recurrent op, and P-tuning's sequences are short (the virtual tokens, tens at most), so each step is a
// handful of primitive ops whose gradient rules already exist; autodiff then gives back-propagation through time.
// PyTorch's layout: gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh, split in the order i, f, g, o along the last axis.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { linear } from './layers';
import type { ComputePrecision } from './precision';

/** One direction of one layer: weight_ih [4h, in], weight_hh [4h, h], bias_ih / bias_hh [4h]. */
export interface LstmWeights {
  wIh: Value;
  wHh: Value;
  bIh: Value;
  bHh: Value;
}

/** Per layer, the forward then the reverse direction. */
export type LstmLayerWeights = [LstmWeights, LstmWeights];

function gate(g: Graph, gates: Value, k: number, hidden: number): Value {
  return g.slice(gates, { starts: [k * hidden], ends: [(k + 1) * hidden], axes: [-1] });
}

/** One direction over x: [T, in] → [T, h], step t reading row t (reverse: from the last row back). */
function direction(g: Graph, x: Value, w: LstmWeights, hidden: number, reverse: boolean, precision?: ComputePrecision): Value {
  const T = x.shape[0] as number;
  // The input projection of every step at once; both biases folded in here, as they are added on every step.
  const xProj = g.add(linear(g, x, w.wIh, w.bIh, precision), w.bHh); // [T, 4h]
  const outs = new Array<Value>(T);
  let h: Value | null = null;
  let c: Value | null = null;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    let gates = g.slice(xProj, { starts: [t], ends: [t + 1], axes: [0] }); // [1, 4h]
    if (h) gates = g.add(gates, linear(g, h, w.wHh, undefined, precision)); // h0 = 0 contributes nothing
    const i = g.sigmoid(gate(g, gates, 0, hidden));
    const f = g.sigmoid(gate(g, gates, 1, hidden));
    const cand = g.tanh(gate(g, gates, 2, hidden));
    const o = g.sigmoid(gate(g, gates, 3, hidden));
    const ig = g.mul(i, cand);
    c = c ? g.add(g.mul(f, c), ig) : ig; // c0 = 0
    h = g.mul(o, g.tanh(c)); // [1, h]
    outs[t] = h;
  }
  return T === 1 ? outs[0] : g.concat(outs, 0); // [T, h]
}

/**
 * A multi-layer bidirectional LSTM over x: [T, in] (batch_first with batch 1, squeezed) → [T, 2h], each layer's
 * output being concat(forward, reverse) along the features, as torch returns it.
 */
export function bidirectionalLstm(g: Graph, x: Value, layers: readonly LstmLayerWeights[], hidden: number, precision?: ComputePrecision): Value {
  let y = x;
  for (const [fwd, rev] of layers) {
    y = g.concat([direction(g, y, fwd, hidden, false, precision), direction(g, y, rev, hidden, true, precision)], -1);
  }
  return y;
}
