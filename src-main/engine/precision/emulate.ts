// Round a float32 tensor to fp16 / bf16 / fp8 inside the graph with plain fp32 arithmetic, bit-exact with formats.ts.
//
// Why arithmetic: onnxruntime drops Cast round trips and CPU fp16 kernels compute in fp32 (DESIGN §3), and opset 17 has
// no bitcast, so the rounding is built from IEEE fp32 Add/Sub/Mul, whose own round-half-even does the work:
//   normal range    Veltkamp splitting: t = C·x, h = t − (t − x) with C = 2^s + 1, s = 24 − p, yields x rounded to
//                   p = mantissaBits + 1 significant bits, ties to even, whatever x's binade (no exponent extraction,
//                   so no Log2/Floor off-by-one near powers of two).
//   below minNormal the fixed quantum q = minSubnormal: (x + Q) − Q with Q = 1.5·2^23·q rounds to a multiple of q, ties
//                   to even (Q is an even multiple of q), which is gradual underflow; rounding up to minNormal is free.
// The work is done on |x| and the sign put back by multiplication, so −0 and negatives that underflow stay −0.
//
// Gradient: straight-through (identity), as AMP's casts. Every branch is written so that its *symbolic* derivative is
// exactly 1 (Veltkamp: C − (C − 1); the magic add: 1 − 0; sign: s·s; overflow: m + inf), so the existing autodiff sees
// the identity path with no stop-gradient primitive. Exceptions, all on values that overflow anyway: inputs beyond the
// clamp (|x| > 2^100, or ±inf) get gradient 0, bf16 'saturate' gets 0 on saturated elements, and an infinite upstream
// gradient turns into NaN (inf − inf in Veltkamp's backward) — a non-finite gradient either way, which the loss
// scaler treats as an overflow.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { BF16, FP16, FP8_E4M3, FP8_E5M2, type FloatFormat, type OverflowMode } from './formats';

export type EmulatedFormatId = 'fp16' | 'bf16' | 'fp8e4m3' | 'fp8e5m2';

const FORMATS: Record<EmulatedFormatId, FloatFormat> = { fp16: FP16, bf16: BF16, fp8e4m3: FP8_E4M3, fp8e5m2: FP8_E5M2 };

export function emulatedFormat(id: EmulatedFormatId): FloatFormat {
  return FORMATS[id];
}

const FP32_MAX = 3.4028234663852886e38;
/** Clamp for the narrow formats: far beyond every max, small enough that C·x and the saturation trick stay finite. */
const CLAMP = 2 ** 100;
/** Absorbs any |m| ≤ 2^100 without a trace (half its ulp is 2^103): (m + K) − K is exactly 0 with derivative 1. */
const ABSORB = 2 ** 127;
/** bf16 shares fp32's range, so C·x can overflow: magnitudes above 2^64 are scaled down first (exactly). */
const BF16_SHIFT = 64;

/**
 * x (float32) rounded to the nearest value of `format`, ties to even, as formats.ts `round(x, overflow)` gives it;
 * gradient straight-through. `overflow` defaults to the format's own (inf for fp16/bf16/E5M2, saturate for E4M3).
 */
export function roundToFormat(g: Graph, x: Value, id: EmulatedFormatId, overflow?: OverflowMode): Value {
  const F = FORMATS[id];
  const mode = overflow ?? F.defaultOverflow;
  if (!F.overflowModes.includes(mode)) throw new Error(`${F.name} has no '${mode}' overflow mode`);
  // The constants below (s = 24 − p, Q = 1.5·2^23·q) are tied to fp32's 24-bit significand.
  if (x.dtype !== 'float32') throw new Error(`roundToFormat: ${x} must be float32`);
  const c = (v: number): Value => g.scalar(v, 'float32');
  const wide = id === 'bf16';

  // Clamp ±inf and huge values to ±big, which still overflows the format, so the arithmetic below stays finite.
  // NaN fails both comparisons and passes through as NaN.
  const big = wide ? FP32_MAX : CLAMP;
  const xc = g.where(g.greater(x, c(big)), c(big), g.where(g.less(x, c(-big)), c(-big), x));

  // Sign as ±1, with −0 counted negative (1/−0 = −inf), so that rounding to zero keeps the zero's sign.
  const negative = (v: Value): Value => g.less(v, c(0));
  const sign = g.where(negative(xc), c(-1), g.where(negative(g.reciprocal(xc)), c(-1), c(1)));
  const m = g.mul(xc, sign);

  // Normal range: Veltkamp splitting (bf16: on m·2^-64 when m is large, which is exact there).
  const s = 24 - (F.mantissaBits + 1);
  const scaled = wide ? g.greater(m, c(2 ** BF16_SHIFT)) : null;
  const ms = scaled ? g.where(scaled, g.mul(m, c(2 ** -BF16_SHIFT)), m) : m;
  const t = g.mul(ms, c(2 ** s + 1));
  const hs = g.sub(t, g.sub(t, ms));
  const h = scaled ? g.where(scaled, g.mul(hs, c(2 ** BF16_SHIFT)), hs) : hs;

  // Subnormal range: fixed quantum.
  const q = c(1.5 * 2 ** 23 * F.minSubnormal);
  const sub = g.sub(g.add(m, q), q);
  const rounded = g.where(g.less(m, c(F.minNormal)), sub, h);

  // Overflow: the rounded magnitude exceeds max (rounding to nearest already put the threshold at max + ulp/2).
  const over = g.greater(rounded, c(F.max));
  let beyond: Value;
  if (mode === 'inf') beyond = g.add(rounded, c(Infinity));
  else if (mode === 'nan') beyond = g.add(rounded, c(NaN));
  else if (wide) beyond = c(F.max);
  else beyond = g.add(g.sub(g.add(rounded, c(ABSORB)), c(ABSORB)), c(F.max));
  const magnitude = g.where(over, beyond, rounded);
  return g.mul(magnitude, sign);
}
