// One value converted to a format, explained: stored bits and value, the error, and what happened (overflow, ...).
import { FLOAT_FORMATS, type BitFields, type FloatFormat, type OverflowMode } from './formats';

/**
 * What the conversion did to x, most telling first: 'nan' (x was NaN), 'overflow' (became ±inf or NaN),
 * 'saturated' (clamped to ±max), 'underflow' (a non-zero x became 0), 'subnormal' (stored with fewer significant
 * bits), 'rounded' or 'exact'.
 */
export type ConversionOutcome = 'nan' | 'overflow' | 'saturated' | 'underflow' | 'subnormal' | 'rounded' | 'exact';

export interface FloatConversion {
  format: FloatFormat;
  input: number;
  bits: number;
  value: number;
  fields: BitFields;
  /** |value - input|; Infinity after an overflow to infinity, NaN where either side is NaN. */
  absError: number;
  /** absError / |input| (0 when both are 0). */
  relError: number;
  outcome: ConversionOutcome;
}

/** Whether x's rounded magnitude lies beyond the format's largest finite value (±Infinity included). */
export function overflows(format: FloatFormat, x: number): boolean {
  if (Number.isNaN(x)) return false;
  const strict: OverflowMode = format.specials === 'ieee' ? 'inf' : 'nan';
  return !Number.isFinite(format.round(x, strict));
}

export function convert(format: FloatFormat, x: number, overflow: OverflowMode = format.defaultOverflow): FloatConversion {
  const bits = format.encode(x, overflow);
  const value = format.decode(bits);
  const fields = format.fields(bits);
  const absError = value === x ? 0 : Math.abs(value - x);
  const relError = absError === 0 ? 0 : absError / Math.abs(x);
  let outcome: ConversionOutcome;
  if (Number.isNaN(x)) outcome = 'nan';
  else if (value === x) outcome = fields.kind === 'subnormal' ? 'subnormal' : 'exact';
  else if (overflows(format, x)) outcome = Number.isFinite(value) ? 'saturated' : 'overflow';
  else if (value === 0) outcome = 'underflow';
  else if (fields.kind === 'subnormal') outcome = 'subnormal';
  else outcome = 'rounded';
  return { format, input: x, bits, value, fields, absError, relError, outcome };
}

/** x in every float format, in the order of FLOAT_FORMATS (fp32, fp16, bf16, E4M3, E5M2), default overflow modes. */
export function convertAll(x: number): FloatConversion[] {
  return FLOAT_FORMATS.map((f) => convert(f, x));
}

/** A pattern as hex, zero-padded to the format's width: 0x3c00 for fp16 1.0. */
export function bitsHex(format: { bits: number }, bits: number): string {
  return `0x${bits.toString(16).padStart(Math.ceil(format.bits / 4), '0')}`;
}
