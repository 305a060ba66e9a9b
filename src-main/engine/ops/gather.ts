// Gather: rows of `data` picked by integer `indices` along an axis (embedding lookup when axis = 0).
//
// Gradient (axis 0): ScatterND with reduction 'add' into zeros — O(tokens·H) work. The one-hot
// alternative is a [tokens, V] @ [tokens, H] product, O(tokens·V·H): for a 32k vocabulary that is
// ~32k times more arithmetic, so ScatterND wins; repeated ids accumulate correctly through 'add'.

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import { emitAs, expectInputs, intAttr, numAttr, only } from './helpers';

export const Gather: OpDef = {
  name: 'Gather',
  infer: (inputs, attrs) => {
    expectInputs('Gather', inputs, 2);
    const [data, idx] = inputs;
    if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw new Error(`Gather: indices ${idx} must be int64/int32`);
    const axis = normAxis(numAttr(attrs, 'axis', 0), data.rank);
    return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)] }];
  },
  emit: emitAs('Gather', (n) => [intAttr('axis', normAxis(numAttr(n.attrs, 'axis', 0), n.inputs[0].rank))]),
  grad: (g, node, dOut, needs) => {
    if (!needs[0]) return [null, null];
    const [data, idx] = node.inputs;
    if (normAxis(numAttr(node.attrs, 'axis', 0), data.rank) !== 0) throw new Error('Gather grad: only axis 0 is supported');
    const ids = idx.dtype === 'int64' ? idx : g.cast(idx, 'int64');
    const where = g.unsqueeze(ids, [ids.rank]); // [..., 1]: each index addresses one row
    return [g.scatterND(g.zerosLike(data), where, only(dOut), 'add'), null];
  },
};
