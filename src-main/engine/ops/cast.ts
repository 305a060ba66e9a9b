// Cast to another dtype; between float types the gradient is cast back, into or out of integers none flows.

import type { OpDef } from '../ir/op-def';
import { onnxDataType } from '../onnx/dtype';
import { isFloat, type DType } from '../ir/types';
import { emitAs, expectInputs, intAttr, only } from './helpers';

export const Cast: OpDef = {
  name: 'Cast',
  infer: (inputs, attrs) => {
    expectInputs('Cast', inputs, 1);
    return [{ dtype: attrs.to as DType, shape: inputs[0].shape, known: inputs[0].known }];
  },
  emit: emitAs('Cast', (n) => [intAttr('to', onnxDataType(n.attrs.to as DType))]),
  grad: (g, node, dOut) => {
    const x = node.inputs[0];
    return [isFloat(x.dtype) && isFloat(node.outputs[0].dtype) ? g.cast(only(dOut), x.dtype) : null];
  },
};
