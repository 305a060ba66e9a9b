// Unsqueeze: inserts size-1 axes (axes index the output); the gradient squeezes them out again.

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import type { Dim } from '../ir/types';
import { expectInputs, numsAttr, only } from './helpers';

export function unsqueezeAxes(axes: readonly number[], outRank: number): number[] {
  const norm = axes.map((a) => normAxis(a, outRank)).sort((p, q) => p - q);
  if (new Set(norm).size !== norm.length) throw new Error(`Unsqueeze: repeated axes [${axes}]`);
  return norm;
}

export const Unsqueeze: OpDef = {
  name: 'Unsqueeze',
  infer: (inputs, attrs) => {
    expectInputs('Unsqueeze', inputs, 1);
    const x = inputs[0];
    const axes = numsAttr(attrs, 'axes');
    const norm = unsqueezeAxes(axes, x.rank + axes.length);
    const out: Dim[] = [...x.shape];
    for (const a of norm) out.splice(a, 0, 1);
    return [{ dtype: x.dtype, shape: out }];
  },
  // Opset 13+: axes are an input tensor, not an attribute.
  emit: (node, ctx) =>
    ctx.node('Unsqueeze', [node.inputs[0].name, ctx.int64(numsAttr(node.attrs, 'axes'))], [node.outputs[0].name]),
  grad: (g, node, dOut) => [g.squeeze(only(dOut), unsqueezeAxes(numsAttr(node.attrs, 'axes'), node.outputs[0].rank))],
};
