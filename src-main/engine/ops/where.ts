// Where: cond ? a : b with three-way broadcasting; the gradient goes to the chosen side, summed back per input.

import type { OpDef } from '../ir/op-def';
import { broadcastShapes } from '../ir/shape';
import { emitAs, expectInputs, only, unbroadcast } from './helpers';

export const Where: OpDef = {
  name: 'Where',
  infer: (inputs) => {
    expectInputs('Where', inputs, 3);
    const [c, a, b] = inputs;
    if (c.dtype !== 'bool') throw new Error(`Where: condition ${c} must be bool`);
    if (a.dtype !== b.dtype) throw new Error(`Where: dtype mismatch ${a} vs ${b}`);
    return [{ dtype: a.dtype, shape: broadcastShapes(c.shape, broadcastShapes(a.shape, b.shape)) }];
  },
  emit: emitAs('Where'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [c, a, b] = node.inputs;
    const zero = g.scalar(0, dy.dtype);
    return [
      null,
      needs[1] ? unbroadcast(g, g.where(c, dy, zero), a.shape) : null,
      needs[2] ? unbroadcast(g, g.where(c, zero, dy), b.shape) : null,
    ];
  },
};
