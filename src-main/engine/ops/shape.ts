// Shape: the run-time shape of x as a 1-D int64 tensor; carries x's symbolic dims as its known content.

import type { OpDef } from '../ir/op-def';
import { emitAs, expectInputs } from './helpers';

export const Shape: OpDef = {
  name: 'Shape',
  infer: (inputs) => {
    expectInputs('Shape', inputs, 1);
    return [{ dtype: 'int64', shape: [inputs[0].rank], known: inputs[0].shape }];
  },
  emit: emitAs('Shape'),
};
