// Abs: y = |x|; dx = dy·sign(x) (0 at x = 0, as PyTorch).

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Abs: OpDef = {
  name: 'Abs',
  infer: unaryFloatInfer('Abs'),
  emit: emitAs('Abs'),
  grad: (g, node, dOut) => [g.mul(only(dOut), g.sign(node.inputs[0]))],
};
