// Host tensors (typed array + dims + dtype) and their conversion to and from onnxruntime tensors.

import ort from 'onnxruntime-node';
import type { DType } from '../ir/types';

export type HostArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array;

export interface HostTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: HostArray;
}

/** A feed: dtype may be left out where the array type says it (Uint16Array is float16, Uint8Array bool). */
export interface Feed {
  readonly data: HostArray;
  readonly dims: readonly number[];
  readonly dtype?: DType;
}

export function dtypeOf(data: HostArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint16Array) return 'float16';
  return 'bool';
}

export function toOrt(f: Feed): ort.Tensor {
  const dtype = f.dtype ?? dtypeOf(f.data);
  const n = f.dims.reduce((a, b) => a * b, 1);
  if (n !== f.data.length) throw new Error(`feed of ${f.data.length} elements for dims [${f.dims}]`);
  // Our dtype names are onnxruntime's tensor type names.
  return new ort.Tensor(dtype, f.data as never, [...f.dims]);
}

export function fromOrt(t: ort.Tensor): HostTensor {
  return { dtype: t.type as DType, dims: [...t.dims], data: t.data as HostArray };
}
