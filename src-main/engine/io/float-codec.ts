// Float tensors stored as F32, F16 or BF16 bytes ↔ float32 values: one codec for adapters, checkpoints and merges.
import { toFloat16Bits } from '../ir/tensor';

export type FloatDtype = 'F32' | 'F16' | 'BF16';

export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float32 → bfloat16 bits, round to nearest even (as torch's .to(torch.bfloat16)); NaN stays a quiet NaN. */
export function toBFloat16Bits(x: number): number {
  const u = new Uint32Array(Float32Array.of(x).buffer)[0];
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function decodeFloats(bytes: Uint8Array, dtype: FloatDtype): Float32Array {
  const n = bytes.byteLength / (dtype === 'F32' ? 4 : 2);
  const copy = new Uint8Array(bytes); // aligned copy: Buffer slices of the pool may sit at odd offsets
  if (dtype === 'F32') return new Float32Array(copy.buffer, 0, n);
  const half = new Uint16Array(copy.buffer, 0, n);
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) u32[i] = half[i] << 16;
  } else {
    for (let i = 0; i < n; i++) out[i] = f16ToF32(half[i]);
  }
  return out;
}

export function encodeFloats(values: Float32Array, dtype: FloatDtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const half = Uint16Array.from(values, dtype === 'BF16' ? toBFloat16Bits : toFloat16Bits);
  return new Uint8Array(half.buffer);
}
