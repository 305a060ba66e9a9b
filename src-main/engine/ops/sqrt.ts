// Sqrt: y = √x; dx = dy/(2y) (reuses the output).

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Sqrt: OpDef = {
  name: 'Sqrt',
  infer: unaryFloatInfer('Sqrt'),
  emit: emitAs('Sqrt'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const y = node.outputs[0];
    return [g.div(dy, g.mul(y, g.scalar(2, y.dtype)))];
  },
};
