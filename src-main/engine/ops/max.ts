// Max: elementwise maximum of two tensors; the gradient goes to the larger one, split in half on ties (as PyTorch).

import type { OpDef } from '../ir/op-def';
import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { binaryInfer, emitAs, only, unbroadcast } from './helpers';

/** dy where `winner`, dy/2 where tied, else 0. */
function route(g: Graph, dy: Value, winner: Value, tie: Value): Value {
  const zero = g.scalar(0, dy.dtype);
  return g.where(winner, dy, g.where(tie, g.mul(dy, g.scalar(0.5, dy.dtype)), zero));
}

export const Max: OpDef = {
  name: 'Max',
  infer: binaryInfer('Max'),
  emit: emitAs('Max'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [a, b] = node.inputs;
    const tie = g.equal(a, b);
    return [
      needs[0] ? unbroadcast(g, route(g, dy, g.greater(a, b), tie), a.shape) : null,
      needs[1] ? unbroadcast(g, route(g, dy, g.less(a, b), tie), b.shape) : null,
    ];
  },
};
