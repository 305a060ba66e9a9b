// Pad: constant zero padding, pads = [begin_0..begin_n, end_0..end_n] (ONNX order); gradient slices the middle back out.

import type { OpDef } from '../ir/op-def';
import { dimAdd } from '../ir/shape';
import { expectInputs, numsAttr, only } from './helpers';

export const Pad: OpDef = {
  name: 'Pad',
  infer: (inputs, attrs) => {
    expectInputs('Pad', inputs, 1);
    const x = inputs[0];
    const pads = numsAttr(attrs, 'pads');
    if (pads.length !== 2 * x.rank || pads.some((p) => p < 0)) throw new Error(`Pad: bad pads [${pads}] for ${x}`);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => dimAdd(d, pads[i] + pads[x.rank + i])) }];
  },
  emit: (node, ctx) =>
    ctx.node('Pad', [node.inputs[0].name, ctx.int64(numsAttr(node.attrs, 'pads'))], [node.outputs[0].name], [
      { name: 'mode', kind: 'string', value: 'constant' },
    ]),
  grad: (g, node, dOut) => {
    const x = node.inputs[0];
    const pads = numsAttr(node.attrs, 'pads');
    const axes = x.shape.map((_, i) => i).filter((i) => pads[i] !== 0 || pads[x.rank + i] !== 0);
    if (axes.length === 0) return [only(dOut)];
    // Ends counted from the back keep symbolic dims exact.
    const ends = axes.map((i) => (pads[x.rank + i] === 0 ? BIG_END : -pads[x.rank + i]));
    return [g.slice(only(dOut), { starts: axes.map((i) => pads[i]), ends, axes })];
  },
};

const BIG_END = 2 ** 31 - 1;
