// Div: y = a / b with broadcasting; d/da = dy/b, d/db = -dy*y/b (reuses y instead of squaring b).

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs, only, unbroadcast } from './helpers';

export const Div: OpDef = {
  name: 'Div',
  infer: binaryInfer('Div'),
  emit: emitAs('Div'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [a, b] = node.inputs;
    const y = node.outputs[0];
    return [
      needs[0] ? unbroadcast(g, g.div(dy, b), a.shape) : null,
      needs[1] ? unbroadcast(g, g.neg(g.div(g.mul(dy, y), b)), b.shape) : null,
    ];
  },
};
