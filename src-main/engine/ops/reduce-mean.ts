// ReduceMean over explicit axes; gradient is dY expanded back and divided by the count of reduced elements.

import type { OpDef } from '../ir/op-def';
import { dimProduct } from '../ir/shape';
import { expectInputs, intAttr, intsAttr, numAttr, only } from './helpers';
import { expandBack, reduceAxes, reducedShape } from './reduce-sum';

export const ReduceMean: OpDef = {
  name: 'ReduceMean',
  infer: (inputs, attrs) => {
    expectInputs('ReduceMean', inputs, 1);
    const x = inputs[0];
    return [{ dtype: x.dtype, shape: reducedShape(x, reduceAxes(x, attrs), numAttr(attrs, 'keepdims', 1) === 1) }];
  },
  // Up to opset 17 ReduceMean still takes axes as an attribute (unlike ReduceSum).
  emit: (node, ctx) =>
    ctx.node('ReduceMean', [node.inputs[0].name], [node.outputs[0].name], [
      intsAttr('axes', reduceAxes(node.inputs[0], node.attrs)),
      intAttr('keepdims', numAttr(node.attrs, 'keepdims', 1)),
    ]),
  grad: (g, node, dOut) => {
    const x = node.inputs[0];
    const y = node.outputs[0];
    const axes = reduceAxes(x, node.attrs);
    const spread = expandBack(g, only(dOut), x, axes, numAttr(node.attrs, 'keepdims', 1) === 1);
    const count = dimProduct(axes.map((a) => x.shape[a]));
    // A symbolic count is only known at run time: Size(x) / Size(y).
    const n = typeof count === 'number' ? g.scalar(count, x.dtype) : g.cast(g.div(g.size(x), g.size(y)), x.dtype);
    return [g.div(spread, n)];
  },
};
