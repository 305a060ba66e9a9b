// ONNX TensorProto.DataType codes for our dtypes (values from onnx.proto).

import type { DType } from '../ir/types';

const CODES: Record<DType, number> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

export function onnxDataType(dtype: DType): number {
  return CODES[dtype];
}
