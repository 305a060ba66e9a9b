// Arange: the int64 positions 0..n-1 along one axis of x (n may be symbolic), for RoPE angles and causal masks.
//
// Emitted as Shape(x)[axis] → Squeeze → Range(0, n, 1) (opset 15 Shape start/end). Not differentiable:
// its output depends only on x's shape, never on x's values.

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import { expectInputs, intAttr, numAttr } from './helpers';

export const Arange: OpDef = {
  name: 'Arange',
  infer: (inputs, attrs) => {
    expectInputs('Arange', inputs, 1);
    const x = inputs[0];
    const axis = normAxis(numAttr(attrs, 'axis'), x.rank);
    return [{ dtype: 'int64', shape: [x.shape[axis]] }];
  },
  emit: (node, ctx) => {
    const x = node.inputs[0];
    const axis = normAxis(numAttr(node.attrs, 'axis'), x.rank);
    const out = node.outputs[0].name;
    const len1 = `${out}__arange_len1`;
    const len = `${out}__arange_len`;
    ctx.node('Shape', [x.name], [len1], [intAttr('start', axis), intAttr('end', axis + 1)]);
    ctx.node('Squeeze', [len1, ctx.int64([0])], [len]);
    ctx.node('Range', [ctx.int64([0], true), len, ctx.int64([1], true)], [out]);
  },
};
