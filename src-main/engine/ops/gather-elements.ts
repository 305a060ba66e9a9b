// GatherElements: out[i][j] = data[i][idx[i][j]] along an axis (picks label logits); gradient is ScatterElements 'add'.

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import { emitAs, expectInputs, intAttr, numAttr, only } from './helpers';

export const GatherElements: OpDef = {
  name: 'GatherElements',
  infer: (inputs, attrs) => {
    expectInputs('GatherElements', inputs, 2);
    const [data, idx] = inputs;
    if (idx.dtype !== 'int64') throw new Error(`GatherElements: indices ${idx} must be int64`);
    if (idx.rank !== data.rank) throw new Error(`GatherElements: rank of ${idx} must match ${data}`);
    normAxis(numAttr(attrs, 'axis', 0), data.rank);
    return [{ dtype: data.dtype, shape: idx.shape }];
  },
  emit: emitAs('GatherElements', (n) => [intAttr('axis', normAxis(numAttr(n.attrs, 'axis', 0), n.inputs[0].rank))]),
  grad: (g, node, dOut, needs) => {
    if (!needs[0]) return [null, null];
    const [data, idx] = node.inputs;
    const axis = normAxis(numAttr(node.attrs, 'axis', 0), data.rank);
    return [g.scatterElements(g.zerosLike(data), idx, only(dOut), axis, 'add'), null];
  },
};
