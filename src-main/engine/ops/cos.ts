// Cos: y = cos x (RoPE tables); dx = -dy*sin x.

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Cos: OpDef = {
  name: 'Cos',
  infer: unaryFloatInfer('Cos'),
  emit: emitAs('Cos'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const x = node.inputs[0];
    return [g.neg(g.mul(dy, g.sin(x)))];
  },
};
