// ReduceMax over every axis to a scalar (fp8 amax: max |x| of a whole tensor). No gradient rule: an amax is a graph
// output read by the host (delayed scaling), never a value the loss depends on.

import type { OpDef } from '../ir/op-def';
import { expectFloat, expectInputs, intAttr } from './helpers';

export const ReduceMax: OpDef = {
  name: 'ReduceMax',
  infer: (inputs) => {
    expectInputs('ReduceMax', inputs, 1);
    expectFloat('ReduceMax', inputs[0]);
    return [{ dtype: inputs[0].dtype, shape: [] }];
  },
  // Opset 17: no `axes` attribute reduces every axis; keepdims 0 gives a scalar.
  emit: (node, ctx) => ctx.node('ReduceMax', [node.inputs[0].name], [node.outputs[0].name], [intAttr('keepdims', 0)]),
};
