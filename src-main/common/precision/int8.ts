// INT8 with a scale: symmetric per-tensor quantisation, value = q × scale, q an integer in [-127, 127].
//
// Symmetric range [-127, 127] rather than [-128, 127]: negation stays exact, zero is exactly 0 with no zero point,
// and it is what symmetric weight/activation quantisers (e.g. absmax, scale = amax / 127) use. The pattern 0x80
// (-128) is never produced; decode still reads it as -128 × scale so every 8-bit pattern has a value.
// q = roundHalfEven(x / scale), with x / scale computed in double precision, then clamped. NaN has no INT8
// encoding and maps to 0; ±Infinity clamps to ±127.

import { roundHalfEven } from './formats';

export const INT8_QMAX = 127;
export const INT8_QMIN = -127;

export type Int8Outcome = 'exact' | 'rounded' | 'clipped' | 'flushed' | 'nan';

function checkScale(scale: number): void {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`INT8 scale must be a positive finite number, got ${scale}.`);
}

/** The integer level q for x (round half to even, clamped to [-127, 127]). */
export function int8Quantize(x: number, scale: number): number {
  checkScale(scale);
  if (Number.isNaN(x)) return 0;
  const n = x / scale;
  const q = Math.sign(n) * roundHalfEven(Math.abs(n)); // symmetric: -x gives -q
  return Math.max(INT8_QMIN, Math.min(INT8_QMAX, q)) + 0; // + 0 turns -0 into 0: an integer has no negative zero
}

/** The two's-complement byte of q, 0..255. */
export function int8Encode(x: number, scale: number): number {
  return int8Quantize(x, scale) & 0xff;
}

/** The value of a byte (0..255, two's complement) at this scale. */
export function int8Decode(bits: number, scale: number): number {
  checkScale(scale);
  if (!Number.isInteger(bits) || bits < 0 || bits > 255) throw new RangeError(`${bits} is not an 8-bit pattern.`);
  return (bits >= 128 ? bits - 256 : bits) * scale;
}

export function int8Round(x: number, scale: number): number {
  return int8Quantize(x, scale) * scale;
}

/** How x fares: clipped beyond ±127 steps, flushed to zero, exact or merely rounded. */
export function int8Outcome(x: number, scale: number): Int8Outcome {
  if (Number.isNaN(x)) return 'nan';
  const q = int8Quantize(x, scale);
  if (roundHalfEven(Math.abs(x / scale)) > INT8_QMAX) return 'clipped';
  if (q === 0 && x !== 0) return 'flushed';
  return q * scale === x ? 'exact' : 'rounded';
}

/** The absmax scale: the largest |value| lands exactly on ±127. */
export function int8AbsmaxScale(values: ArrayLike<number>): number {
  let amax = 0;
  for (let i = 0; i < values.length; i++) amax = Math.max(amax, Math.abs(values[i]));
  return amax > 0 && Number.isFinite(amax) ? amax / INT8_QMAX : 1;
}
