// Greater: elementwise a > b with broadcasting, a bool mask (masks, Relu/Max routing). Not differentiable.

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs } from './helpers';

export const Greater: OpDef = {
  name: 'Greater',
  infer: binaryInfer('Greater', 'bool'),
  emit: emitAs('Greater'),
};
