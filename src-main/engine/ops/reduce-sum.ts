// ReduceSum over explicit axes; the gradient broadcasts dY back over the reduced axes (Unsqueeze + Expand).

import type { OpDef } from '../ir/op-def';
import type { Graph } from '../ir/graph';
import { normAxis } from '../ir/shape';
import type { Attrs, Dim } from '../ir/types';
import type { Value } from '../ir/value';
import { expectInputs, intAttr, numAttr, numsAttr, only } from './helpers';

/** Sorted, normalised reduction axes; an empty list is refused (ONNX would reduce everything or nothing). */
export function reduceAxes(x: Value, attrs: Attrs): number[] {
  const axes = [...new Set(numsAttr(attrs, 'axes').map((a) => normAxis(a, x.rank)))].sort((p, q) => p - q);
  if (axes.length === 0) throw new Error('reduce: give the axes explicitly');
  return axes;
}

export function reducedShape(x: Value, axes: readonly number[], keep: boolean): Dim[] {
  return keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** dY of a reduction, re-expanded to x's shape. */
export function expandBack(g: Graph, dy: Value, x: Value, axes: readonly number[], keep: boolean): Value {
  const kept = keep ? dy : g.unsqueeze(dy, axes);
  return g.expand(kept, g.shapeOf(x));
}

export const ReduceSum: OpDef = {
  name: 'ReduceSum',
  infer: (inputs, attrs) => {
    expectInputs('ReduceSum', inputs, 1);
    const x = inputs[0];
    return [{ dtype: x.dtype, shape: reducedShape(x, reduceAxes(x, attrs), numAttr(attrs, 'keepdims', 1) === 1) }];
  },
  // Opset 13+: axes are an input tensor.
  emit: (node, ctx) =>
    ctx.node('ReduceSum', [node.inputs[0].name, ctx.int64(reduceAxes(node.inputs[0], node.attrs))], [node.outputs[0].name], [
      intAttr('keepdims', numAttr(node.attrs, 'keepdims', 1)),
    ]),
  grad: (g, node, dOut) => {
    const x = node.inputs[0];
    return [expandBack(g, only(dOut), x, reduceAxes(x, node.attrs), numAttr(node.attrs, 'keepdims', 1) === 1)];
  },
};
