// Sigmoid: y = 1/(1+e^-x); dx = dy*y*(1-y) (reuses the output).

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Sigmoid: OpDef = {
  name: 'Sigmoid',
  infer: unaryFloatInfer('Sigmoid'),
  emit: emitAs('Sigmoid'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const y = node.outputs[0];
    return [g.mul(g.mul(dy, y), g.sub(g.scalar(1, y.dtype), y))];
  },
};
