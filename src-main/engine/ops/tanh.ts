// Tanh: y = tanh x; dx = dy*(1-y²) (reuses the output).

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Tanh: OpDef = {
  name: 'Tanh',
  infer: unaryFloatInfer('Tanh'),
  emit: emitAs('Tanh'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const y = node.outputs[0];
    return [g.mul(dy, g.sub(g.scalar(1, y.dtype), g.mul(y, y)))];
  },
};
