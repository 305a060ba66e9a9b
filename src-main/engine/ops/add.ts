// Add: a + b with numpy broadcasting; the gradient passes through, summed back to each input's shape.

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs, only, unbroadcast } from './helpers';

export const Add: OpDef = {
  name: 'Add',
  infer: binaryInfer('Add'),
  emit: emitAs('Add'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [a, b] = node.inputs;
    return [needs[0] ? unbroadcast(g, dy, a.shape) : null, needs[1] ? unbroadcast(g, dy, b.shape) : null];
  },
};
