// Sign: y = −1, 0 or 1 (NaN stays NaN); piecewise constant, so no gradient flows through it (0 almost everywhere).

import type { OpDef } from '../ir/op-def';
import { emitAs, unaryFloatInfer } from './helpers';

export const Sign: OpDef = {
  name: 'Sign',
  infer: unaryFloatInfer('Sign'),
  emit: emitAs('Sign'),
  grad: () => [null],
};
