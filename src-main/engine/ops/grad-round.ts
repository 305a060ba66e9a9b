// GradRound: y = x forward (emitted as Identity); backward dx = round(dy) to a low-precision format (fp16, bf16, fp8),
// so that the gradient of a tensor AMP keeps in that format is itself rounded in the backward pass, as it is when the
// backward matmuls run in fp16/bf16. The rounding is precision/emulate.ts's arithmetic (bit-exact with formats.ts,
// overflow to ±inf for fp16/bf16/E5M2, so an overflowing gradient reaches the loss scaler as inf). A float64 gradient
// (finite-difference tests) is rounded through float32, which is exact for every value of the narrow formats.

import type { OpDef } from '../ir/op-def';
import { roundedValue, type EmulatedFormatId } from '../precision/emulate';
import { emitAs, expectFloat, expectInputs, only } from './helpers';

export const GRAD_ROUND_FORMATS: readonly EmulatedFormatId[] = ['fp16', 'bf16', 'fp8e4m3', 'fp8e5m2'];

export const GradRound: OpDef = {
  name: 'GradRound',
  infer: (inputs, attrs) => {
    expectInputs('GradRound', inputs, 1);
    expectFloat('GradRound', inputs[0]);
    const format = attrs.format as EmulatedFormatId;
    if (!GRAD_ROUND_FORMATS.includes(format)) throw new Error(`GradRound: unknown format '${String(format)}'`);
    return [{ dtype: inputs[0].dtype, shape: inputs[0].shape }];
  },
  emit: emitAs('Identity'),
  grad: (g, node, dOut) => {
    const d = only(dOut);
    const format = node.attrs.format as EmulatedFormatId;
    if (d.dtype === 'float32') return [roundedValue(g, d, format)];
    return [g.cast(roundedValue(g, g.cast(d, 'float32'), format), d.dtype)];
  },
};
