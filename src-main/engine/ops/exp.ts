// Exp: y = e^x; dx = dy*y (reuses the output).

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Exp: OpDef = {
  name: 'Exp',
  infer: unaryFloatInfer('Exp'),
  emit: emitAs('Exp'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const y = node.outputs[0];
    return [g.mul(dy, y)];
  },
};
