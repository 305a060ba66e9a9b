// Relu: y = max(x, 0); dx = dy where x > 0 (0 at the kink, as PyTorch).

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Relu: OpDef = {
  name: 'Relu',
  infer: unaryFloatInfer('Relu'),
  emit: emitAs('Relu'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const x = node.inputs[0];
    return [g.where(g.greater(x, g.scalar(0, x.dtype)), dy, g.scalar(0, dy.dtype))];
  },
};
