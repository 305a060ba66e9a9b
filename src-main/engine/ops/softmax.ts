// Softmax along one axis; dx = y * (dy - Σ(dy*y)) over that axis (reuses the output).

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import { emitAs, intAttr, numAttr, only, unaryFloatInfer } from './helpers';

export const Softmax: OpDef = {
  name: 'Softmax',
  infer: unaryFloatInfer('Softmax'),
  emit: emitAs('Softmax', (n) => [intAttr('axis', normAxis(numAttr(n.attrs, 'axis', -1), n.inputs[0].rank))]),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const y = node.outputs[0];
    const axis = normAxis(numAttr(node.attrs, 'axis', -1), y.rank);
    return [g.mul(y, g.sub(dy, g.reduceSum(g.mul(dy, y), [axis], true)))];
  },
};
