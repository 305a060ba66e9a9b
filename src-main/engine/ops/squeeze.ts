// Squeeze: removes the given size-1 axes (explicit, so symbolic dims are never guessed); gradient unsqueezes.

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import { expectInputs, numsAttr, only } from './helpers';

function squeezeAxes(axes: readonly number[], rank: number): number[] {
  return axes.map((a) => normAxis(a, rank)).sort((p, q) => p - q);
}

export const Squeeze: OpDef = {
  name: 'Squeeze',
  infer: (inputs, attrs) => {
    expectInputs('Squeeze', inputs, 1);
    const x = inputs[0];
    const axes = squeezeAxes(numsAttr(attrs, 'axes'), x.rank);
    for (const a of axes) {
      if (typeof x.shape[a] === 'number' && x.shape[a] !== 1) throw new Error(`Squeeze: axis ${a} of ${x} is not 1`);
    }
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
  emit: (node, ctx) =>
    ctx.node('Squeeze', [node.inputs[0].name, ctx.int64(numsAttr(node.attrs, 'axes'))], [node.outputs[0].name]),
  grad: (g, node, dOut) => [g.unsqueeze(only(dOut), squeezeAxes(numsAttr(node.attrs, 'axes'), node.inputs[0].rank))],
};
