// Log: y = ln x; dx = dy/x.

import type { OpDef } from '../ir/op-def';
import { emitAs, only, unaryFloatInfer } from './helpers';

export const Log: OpDef = {
  name: 'Log',
  infer: unaryFloatInfer('Log'),
  emit: emitAs('Log'),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const x = node.inputs[0];
    return [g.div(dy, x)];
  },
};
