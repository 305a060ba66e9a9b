// FP8 vs INT8 on a sample: a seeded normal sample quantised at one scale, with the error and what clipped or flushed.
//
// Convention for every format: stored = scale × Q(x / scale), where Q rounds to the format. For INT8 the scale is the
// step between levels (absmax: amax / 127); for fp8 it plays the role of Transformer Engine's scale_inv
// (amax / 448 puts the largest value on E4M3's max). Both fp8 formats saturate here, as fp8 training recipes
// convert, so the error stays finite and "clipped" means the same thing for all three.
import { FP8_E4M3, FP8_E5M2, type FloatFormat } from './formats';
import { overflows } from './convert';
import { INT8_QMAX, int8Round, int8Outcome } from './int8';

export type QuantFormatId = 'fp8e4m3' | 'fp8e5m2' | 'int8';

/** mulberry32: a tiny seeded PRNG, so the same seed gives the same sample in every browser and in the tests. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n draws from normal(0, sigma) by Box–Muller. */
export function normalSample(n: number, sigma: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - random(); // in (0, 1]: log(u) stays finite
    const v = random();
    const r = sigma * Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

export interface QuantStats {
  format: QuantFormatId;
  count: number;
  meanAbsError: number;
  /** Mean of |stored - x| / |x| over the non-zero x (a flushed value counts as 100 %). */
  meanRelError: number;
  maxAbsError: number;
  /** Values beyond the largest level, stored as ±max. */
  clipped: number;
  /** Non-zero values stored as 0. */
  flushed: number;
  /** A few of each, for showing which values they were. */
  clippedExamples: number[];
  flushedExamples: number[];
}

const EXAMPLES = 5;

function fp8Quantizer(format: FloatFormat, scale: number) {
  return {
    round: (x: number) => scale * format.round(x / scale, 'saturate'),
    clipped: (x: number) => overflows(format, x / scale),
  };
}

function quantizer(id: QuantFormatId, scale: number) {
  if (id === 'int8') return { round: (x: number) => int8Round(x, scale), clipped: (x: number) => int8Outcome(x, scale) === 'clipped' };
  return fp8Quantizer(id === 'fp8e4m3' ? FP8_E4M3 : FP8_E5M2, scale);
}

export function quantStats(values: ArrayLike<number>, id: QuantFormatId, scale: number): QuantStats {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive finite number, got ${scale}.`);
  const q = quantizer(id, scale);
  let sumAbs = 0;
  let sumRel = 0;
  let nonZero = 0;
  let maxAbs = 0;
  const stats: QuantStats = {
    format: id, count: values.length, meanAbsError: 0, meanRelError: 0, maxAbsError: 0, clipped: 0, flushed: 0, clippedExamples: [], flushedExamples: [],
  };
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const stored = q.round(x);
    const err = Math.abs(stored - x);
    sumAbs += err;
    maxAbs = Math.max(maxAbs, err);
    if (x !== 0) {
      sumRel += err / Math.abs(x);
      nonZero += 1;
    }
    if (q.clipped(x)) {
      stats.clipped += 1;
      if (stats.clippedExamples.length < EXAMPLES) stats.clippedExamples.push(x);
    } else if (stored === 0 && x !== 0) {
      stats.flushed += 1;
      if (stats.flushedExamples.length < EXAMPLES) stats.flushedExamples.push(x);
    }
  }
  stats.meanAbsError = values.length ? sumAbs / values.length : 0;
  stats.meanRelError = nonZero ? sumRel / nonZero : 0;
  stats.maxAbsError = maxAbs;
  return stats;
}

export const QUANT_FORMATS: readonly QuantFormatId[] = ['fp8e4m3', 'fp8e5m2', 'int8'];

export function compareAtScale(values: ArrayLike<number>, scale: number): QuantStats[] {
  return QUANT_FORMATS.map((id) => quantStats(values, id, scale));
}

/** The scale that puts the sample's largest |value| on the format's largest level (amax scaling). */
export function amaxScale(values: ArrayLike<number>, id: QuantFormatId): number {
  let amax = 0;
  for (let i = 0; i < values.length; i++) amax = Math.max(amax, Math.abs(values[i]));
  if (!(amax > 0) || !Number.isFinite(amax)) return 1;
  const top = id === 'int8' ? INT8_QMAX : id === 'fp8e4m3' ? FP8_E4M3.max : FP8_E5M2.max;
  return amax / top;
}

/** A copy with a seeded `fraction` of the values multiplied by `factor`: the rare large activations that hurt INT8. */
export function withOutliers(values: ArrayLike<number>, fraction: number, factor: number, seed: number): Float64Array {
  const random = mulberry32(seed ^ 0x5bd1e995);
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) if (random() < fraction) out[i] *= factor;
  return out;
}
