// Neg: y = -x; dx = -dy.

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Neg: OpDef = {
  name: 'Neg',
  infer: unaryFloatInfer('Neg'),
  emit: emitAs('Neg'),
  grad: (g, _node, dOut) => {
    const dy = only(dOut);
    return [g.neg(dy)];
  },
};
