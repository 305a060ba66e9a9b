// ScatterElements: writes/accumulates updates into a copy of data along an axis (inverse of GatherElements). No gradient.

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import { emitAs, expectInputs, intAttr, numAttr } from './helpers';

export const ScatterElements: OpDef = {
  name: 'ScatterElements',
  infer: (inputs, attrs) => {
    expectInputs('ScatterElements', inputs, 3);
    const [data, idx, upd] = inputs;
    if (idx.dtype !== 'int64') throw new Error(`ScatterElements: indices ${idx} must be int64`);
    if (upd.dtype !== data.dtype) throw new Error(`ScatterElements: updates ${upd} must match ${data}`);
    normAxis(numAttr(attrs, 'axis', 0), data.rank);
    return [{ dtype: data.dtype, shape: data.shape }];
  },
  emit: emitAs('ScatterElements', (n) => [
    intAttr('axis', normAxis(numAttr(n.attrs, 'axis', 0), n.inputs[0].rank)),
    { name: 'reduction', kind: 'string', value: String(n.attrs.reduction ?? 'none') },
  ]),
};
