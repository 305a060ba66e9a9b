// Less: elementwise a < b with broadcasting, a bool mask (masks, Relu/Max routing). Not differentiable.

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs } from './helpers';

export const Less: OpDef = {
  name: 'Less',
  infer: binaryInfer('Less', 'bool'),
  emit: emitAs('Less'),
};
