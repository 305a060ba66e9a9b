// Mul: a * b with broadcasting; d/da = dy*b, d/db = dy*a, summed back to each input's shape.

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs, only, unbroadcast } from './helpers';

export const Mul: OpDef = {
  name: 'Mul',
  infer: binaryInfer('Mul'),
  emit: emitAs('Mul'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [a, b] = node.inputs;
    return [
      needs[0] ? unbroadcast(g, g.mul(dy, b), a.shape) : null,
      needs[1] ? unbroadcast(g, g.mul(dy, a), b.shape) : null,
    ];
  },
};
