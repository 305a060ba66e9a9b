// Building inline tensors from JS numbers for any dtype (float16 via bit conversion).

import type { DType, InlineTensor, TensorArray } from './types';
import { numel } from './shape';

/** IEEE half-precision bits of a number, round-to-nearest-even. */
export function toFloat16Bits(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

export function arrayFor(dtype: DType, values: ArrayLike<number>): TensorArray {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'float16':
      return Uint16Array.from(Array.from(values, toFloat16Bits));
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(Array.from(values, (v) => (v ? 1 : 0)));
  }
}

export function tensor(dtype: DType, shape: readonly number[], values: ArrayLike<number>): InlineTensor {
  if (values.length !== numel(shape)) throw new Error(`tensor: ${values.length} values for shape [${shape}]`);
  return { dtype, shape: [...shape], data: arrayFor(dtype, values) };
}

export function scalarTensor(value: number, dtype: DType, shape: readonly number[] = []): InlineTensor {
  return tensor(dtype, shape, new Array<number>(numel(shape)).fill(value));
}
