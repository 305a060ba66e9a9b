// StopGradient(x): y = x forward (emitted as Identity); backward passes nothing to x.
//
// torch's `.detach()`: a value used as a constant of the loss although it is computed from parameters. DoRA needs it for
// the weight norm ‖W + s·B·A‖ (DoRA paper §4.3, PEFT tuners/lora/dora.py), which reflects the current B·A in the forward
// pass but must receive no gradient. StraightThrough cannot express it: it always routes dy to its first input.

import type { GraphCore } from '../ir/graph-core';
import type { OpDef } from '../ir/op-def';
import type { Value } from '../ir/value';
import { emitAs, expectFloat, expectInputs } from './helpers';

export const StopGradient: OpDef = {
  name: 'StopGradient',
  infer: (inputs) => {
    expectInputs('StopGradient', inputs, 1);
    expectFloat('StopGradient', inputs[0]);
    return [{ dtype: inputs[0].dtype, shape: inputs[0].shape }];
  },
  emit: emitAs('Identity'),
  // A rule that returns no gradient (rather than no rule): autodiff visits the node whenever its output feeds the loss.
  grad: () => [null],
};

/** x with its gradient stopped (Graph has no builder method for it; this is the one entry point). */
export function stopGradient(g: GraphCore, x: Value): Value {
  return g.apply(StopGradient, [x])[0];
}
