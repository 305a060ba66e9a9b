// LogSoftmax along one axis (stable cross-entropy); dx = dy - softmax(x) * Σ dy, with softmax = exp(y).

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import { emitAs, intAttr, numAttr, only, unaryFloatInfer } from './helpers';

export const LogSoftmax: OpDef = {
  name: 'LogSoftmax',
  infer: unaryFloatInfer('LogSoftmax'),
  emit: emitAs('LogSoftmax', (n) => [intAttr('axis', normAxis(numAttr(n.attrs, 'axis', -1), n.inputs[0].rank))]),
  grad: (g, node, dOut) => {
    const dy = only(dOut);
    const y = node.outputs[0];
    const axis = normAxis(numAttr(node.attrs, 'axis', -1), y.rank);
    return [g.sub(dy, g.mul(g.exp(y), g.reduceSum(dy, [axis], true)))];
  },
};
