// ConstantOfShape: a tensor filled with one value, shaped by a 1-D int64 tensor (zeros for scatter gradients).

import type { OpDef } from '../ir/op-def';
import type { DType } from '../ir/types';
import { scalarTensor } from '../ir/tensor';
import { emitAs, expectInputs, numAttr } from './helpers';

export const ConstantOfShape: OpDef = {
  name: 'ConstantOfShape',
  infer: (inputs, attrs) => {
    expectInputs('ConstantOfShape', inputs, 1);
    const s = inputs[0];
    if (s.dtype !== 'int64' || !s.known) throw new Error(`ConstantOfShape: ${s} must be an int64 tensor of known content`);
    return [{ dtype: attrs.dtype as DType, shape: s.known }];
  },
  emit: emitAs('ConstantOfShape', (n) => [
    { name: 'value', kind: 'tensor', value: scalarTensor(numAttr(n.attrs, 'value'), n.attrs.dtype as DType, [1]) },
  ]),
};
