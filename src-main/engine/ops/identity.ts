// Identity: y = x (names graph outputs); dx = dy for float tensors.

import type { OpDef } from '../ir/op-def';
import { emitAs, expectInputs, only } from './helpers';
import { isFloat } from '../ir/types';

export const Identity: OpDef = {
  name: 'Identity',
  infer: (inputs) => {
    expectInputs('Identity', inputs, 1);
    return [{ dtype: inputs[0].dtype, shape: inputs[0].shape, known: inputs[0].known }];
  },
  emit: emitAs('Identity'),
  grad: (_g, node, dOut) => [isFloat(node.inputs[0].dtype) ? only(dOut) : null],
};
