// Reciprocal: y = 1/x; dx = -dy*y² (reuses the output).

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Reciprocal: OpDef = {
  name: 'Reciprocal',
  infer: unaryFloatInfer('Reciprocal'),
  emit: emitAs('Reciprocal'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const y = node.outputs[0];
    return [g.neg(g.mul(dy, g.mul(y, y)))];
  },
};
