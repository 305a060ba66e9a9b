// Reshape: x to the shape held by a 1-D int64 tensor (0 copies a dim, -1 is inferred); gradient reshapes back.

import type { OpDef } from '../ir/op-def';
import { dimQuotient } from '../ir/shape';
import type { Dim } from '../ir/types';
import { emitAs, expectInputs, only } from './helpers';

export const Reshape: OpDef = {
  name: 'Reshape',
  infer: (inputs) => {
    expectInputs('Reshape', inputs, 2);
    const [x, s] = inputs;
    if (s.dtype !== 'int64' || !s.known) throw new Error(`Reshape: shape operand ${s} must be an int64 tensor of known content`);
    const out: Dim[] = s.known.map((d, i) => (d === 0 ? x.shape[i] : d));
    const hole = out.indexOf(-1);
    if (hole >= 0) out[hole] = dimQuotient(x.shape, out.filter((_, i) => i !== hole));
    return [{ dtype: x.dtype, shape: out }];
  },
  emit: emitAs('Reshape'),
  // Shape(x) (a constant when x is static) keeps symbolic dims exact at run time.
  grad: (g, node, dOut, needs) => [needs[0] ? g.reshape(only(dOut), g.shapeOf(node.inputs[0])) : null, null],
};
