// Tiny graphs that ask an execution provider for one low-precision kernel: fp32 in → Cast → op → Cast → fp32 out.
//
// The IR (ir/types.ts) has no bfloat16 or float8 dtypes and onnxruntime-node's JS tensors have no bfloat16, so these
// graphs are written as ModelProto objects directly, with fp32 inputs and outputs and the casts inside the graph.
// IR 9 / opset 19 because float8 types and Cast to them start there (serializeModel writes IR 8 / opset 17).

import { ModelProto } from '../onnx/proto';

export type ProbeOp = 'MatMul' | 'Add' | 'Softmax' | 'Cast';
/** onnxruntime's names for the probed types, as they appear in profiles' input_type_shape. */
export type ProbeDType = 'float16' | 'bfloat16' | 'Float8E4M3FN' | 'Float8E5M2';

/** TensorProto.DataType codes (onnx.proto). */
const ONNX_TYPE: Record<ProbeDType | 'float32', number> = {
  float32: 1, float16: 10, bfloat16: 16, Float8E4M3FN: 17, Float8E5M2: 19,
};
const ATTR_INT = 2;
export const PROBE_IR_VERSION = 9;
export const PROBE_OPSET = 19;

const valueInfo = (name: string, dims: readonly number[]) => ({
  name, type: { tensor_type: { elem_type: ONNX_TYPE.float32, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
});
const cast = (input: string, output: string, to: number) => ({
  op_type: 'Cast', name: `cast_${output}`, input: [input], output: [output], attribute: [{ name: 'to', type: ATTR_INT, i: to }],
});

/** The op node on the low-precision copies `a_lp`, `b_lp`, writing `y_lp`. */
function opNode(op: ProbeOp): Record<string, unknown> {
  switch (op) {
    case 'MatMul':
    case 'Add':
      return { op_type: op, name: 'probe', input: ['a_lp', 'b_lp'], output: ['y_lp'] };
    case 'Softmax':
      return { op_type: op, name: 'probe', input: ['a_lp'], output: ['y_lp'], attribute: [{ name: 'axis', type: ATTR_INT, i: -1 }] };
    case 'Cast':
      // A bare Cast pair is a round trip onnxruntime may drop; the Identity keeps the low-precision tensor alive.
      return { op_type: 'Identity', name: 'probe', input: ['a_lp'], output: ['y_lp'] };
  }
}

/** Inputs `a` and `b` ([n, n] fp32), output `y` ([n, n] fp32), the op computed in `dtype`. */
export function kernelProbeModel(op: ProbeOp, dtype: ProbeDType, n = 4): Uint8Array {
  const binary = op === 'MatMul' || op === 'Add';
  const obj = {
    ir_version: PROBE_IR_VERSION,
    producer_name: 'finetune-studio-kernel-probe',
    opset_import: [{ domain: '', version: PROBE_OPSET }],
    graph: {
      name: `probe_${op}_${dtype}`,
      node: [
        cast('a', 'a_lp', ONNX_TYPE[dtype]),
        ...(binary ? [cast('b', 'b_lp', ONNX_TYPE[dtype])] : []),
        opNode(op),
        cast('y_lp', 'y', ONNX_TYPE.float32),
      ],
      input: [valueInfo('a', [n, n]), ...(binary ? [valueInfo('b', [n, n])] : [])],
      output: [valueInfo('y', [n, n])],
    },
  };
  const err = ModelProto.verify(obj);
  if (err) throw new Error(`ModelProto: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(obj)).finish();
}
