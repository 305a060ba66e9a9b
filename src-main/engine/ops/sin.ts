// Sin: y = sin x (RoPE tables); dx = dy*cos x.

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Sin: OpDef = {
  name: 'Sin',
  infer: unaryFloatInfer('Sin'),
  emit: emitAs('Sin'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const x = node.inputs[0];
    return [g.mul(dy, g.cos(x))];
  },
};
