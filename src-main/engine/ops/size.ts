// Size: the run-time element count of x as an int64 scalar (mean over symbolic dims).

import type { OpDef } from '../ir/op-def';
import { emitAs, expectInputs } from './helpers';

export const Size: OpDef = {
  name: 'Size',
  infer: (inputs) => {
    expectInputs('Size', inputs, 1);
    return [{ dtype: 'int64', shape: [] }];
  },
  emit: emitAs('Size'),
};
