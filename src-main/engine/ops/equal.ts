// Equal: elementwise a == b with broadcasting, a bool mask (masks, Relu/Max routing). Not differentiable.

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs } from './helpers';

export const Equal: OpDef = {
  name: 'Equal',
  infer: binaryInfer('Equal', 'bool'),
  emit: emitAs('Equal'),
};
