// ScatterND: writes (or, with reduction 'add', accumulates) updates into a copy of data at index tuples. No gradient.

import type { OpDef } from '../ir/op-def';
import { emitAs, expectInputs } from './helpers';

export const ScatterND: OpDef = {
  name: 'ScatterND',
  infer: (inputs) => {
    expectInputs('ScatterND', inputs, 3);
    const [data, idx, upd] = inputs;
    if (idx.dtype !== 'int64') throw new Error(`ScatterND: indices ${idx} must be int64`);
    if (upd.dtype !== data.dtype) throw new Error(`ScatterND: updates ${upd} must match ${data}`);
    return [{ dtype: data.dtype, shape: data.shape }];
  },
  // Opset 16 added `reduction`; 'add' is what makes gradient accumulation over repeated ids correct.
  emit: emitAs('ScatterND', (n) => [{ name: 'reduction', kind: 'string', value: String(n.attrs.reduction ?? 'none') }]),
};
