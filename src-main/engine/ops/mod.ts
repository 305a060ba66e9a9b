// Mod: integer remainder a mod b (fmod=0: the sign of b), for counter-based hashing. Not differentiable.

import type { OpDef } from '../ir/op-def';
import { isFloat } from '../ir/types';
import { binaryInfer, emitAs } from './helpers';

const infer = binaryInfer('Mod');

export const Mod: OpDef = {
  name: 'Mod',
  infer: (inputs) => {
    // Float Mod needs fmod=1 in ONNX; only the integer form is used, so refuse floats instead of emitting both.
    for (const v of inputs) if (isFloat(v.dtype)) throw new Error(`Mod: '${v.name}' must be an integer tensor, got ${v.dtype}`);
    return infer(inputs);
  },
  emit: emitAs('Mod'),
};
