// StraightThrough(x, value): y = value forward (emitted as Identity), dx = dy backward, and no gradient reaches `value`.
//
// The straight-through estimator with the stop-gradient built in: `value` is a function of x whose own derivative is
// useless or zero (a rounding), so autodiff must not walk into the arithmetic that computes it — only x receives dy.
// That keeps the backward pass of an emulated rounding one node wide instead of the rounding's whole subgraph.

import type { OpDef } from '../ir/op-def';
import { sameShape } from '../ir/shape';
import { expectFloat, expectInputs, only } from './helpers';

export const StraightThrough: OpDef = {
  name: 'StraightThrough',
  infer: (inputs) => {
    expectInputs('StraightThrough', inputs, 2);
    const [x, value] = inputs;
    expectFloat('StraightThrough', x);
    if (x.dtype !== value.dtype || !sameShape(x.shape, value.shape)) throw new Error(`StraightThrough: ${value} must match ${x}`);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  emit: (node, ctx) => ctx.node('Identity', [node.inputs[1].name], [node.outputs[0].name]),
  grad: (_g, _node, dOut) => [only(dOut), null],
};
