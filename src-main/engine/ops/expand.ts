// Expand: broadcasts x to a shape held by a 1-D int64 tensor; the gradient sums back to x's shape.

import type { OpDef } from '../ir/op-def';
import { broadcastShapes } from '../ir/shape';
import { emitAs, expectInputs, only, unbroadcast } from './helpers';

export const Expand: OpDef = {
  name: 'Expand',
  infer: (inputs) => {
    expectInputs('Expand', inputs, 2);
    const [x, s] = inputs;
    if (s.dtype !== 'int64' || !s.known) throw new Error(`Expand: shape operand ${s} must be an int64 tensor of known content`);
    return [{ dtype: x.dtype, shape: broadcastShapes(x.shape, s.known) }];
  },
  emit: emitAs('Expand'),
  grad: (g, node, dOut, needs) => [needs[0] ? unbroadcast(g, only(dOut), node.inputs[0].shape) : null, null],
};
