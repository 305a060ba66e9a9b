// Constant: an inline tensor as a node (scalars in gradient rules, shapes for Reshape/Expand).

import type { OpDef } from '../ir/op-def';
import type { InlineTensor } from '../ir/types';
import { emitAs } from './helpers';

export const Constant: OpDef = {
  name: 'Constant',
  infer: (inputs, attrs) => {
    if (inputs.length !== 0) throw new Error('Constant takes no inputs');
    const t = attrs.value as InlineTensor;
    // 1-D int64 constants are shapes/axes: expose their content to shape rules.
    const known = t.dtype === 'int64' && t.shape.length === 1 ? Array.from(t.data as BigInt64Array, Number) : undefined;
    return [{ dtype: t.dtype, shape: t.shape, known }];
  },
  emit: emitAs('Constant', (n) => [{ name: 'value', kind: 'tensor', value: n.attrs.value as InlineTensor }]),
};
