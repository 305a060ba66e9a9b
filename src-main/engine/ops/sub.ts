// Sub: a - b with broadcasting; d/da = dy, d/db = -dy, each summed back to its input's shape.

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs, only, unbroadcast } from './helpers';

export const Sub: OpDef = {
  name: 'Sub',
  infer: binaryInfer('Sub'),
  emit: emitAs('Sub'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [a, b] = node.inputs;
    return [needs[0] ? unbroadcast(g, dy, a.shape) : null, needs[1] ? unbroadcast(g, g.neg(dy), b.shape) : null];
  },
};
