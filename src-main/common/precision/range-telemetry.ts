// Range telemetry: a log2 histogram of |x| and, per low-precision format, the shares of values a cast would flush to
// zero, leave subnormal or overflow. Pure math on Float32Arrays (no node imports), shared by the trainer and the renderer.
import { BF16, FP16, FP8_E4M3, FP8_E5M2, type FloatFormat } from './formats';

/** Histogram bins: bin i counts floor(log2 |x|) = BIN_FROM + i; smaller values go to the first bin, larger to the last. */
export const TELEMETRY_BIN_FROM = -40;
export const TELEMETRY_BIN_TO = 20;
const BIN_COUNT = TELEMETRY_BIN_TO - TELEMETRY_BIN_FROM + 1;

export const TELEMETRY_FORMATS = { fp16: FP16, bf16: BF16, fp8e4m3: FP8_E4M3, fp8e5m2: FP8_E5M2 } as const;
export type TelemetryFormatId = keyof typeof TELEMETRY_FORMATS;
const FORMAT_IDS = Object.keys(TELEMETRY_FORMATS) as TelemetryFormatId[];

/** Shares of the finite non-zero values (0 when there are none); each in [0, 1], and the three are disjoint. */
export interface RangeShares { underflow: number; subnormal: number; overflow: number }

export interface RangeSummary {
  /** Elements seen, and of those exact zeros and non-finite values (inf/NaN: neither binned nor in the shares). */
  count: number;
  zeros: number;
  nonFinite: number;
  bins: { from: number; counts: number[] };
  shares: Record<TelemetryFormatId, RangeShares>;
}

/**
 * Where round-to-nearest-even puts |x| when cast to `f`, as three magnitude thresholds with their tie outcome, so
 * that one pass of comparisons classifies every element exactly like f.round would:
 *   underflow  |x| ≤ minSubnormal/2            (the tie rounds to the even 0: flushed)
 *   subnormal  below minNormal − minSubnormal/2 (the tie rounds up to minNormal, whose significand is even)
 *   overflow   beyond max + ulp(max)/2         (IEEE: the tie rounds up to inf, max's mantissa being odd;
 *                                              E4M3FN: the tie rounds to max, which has an even mantissa)
 */
interface Thresholds { flush: number; flushTie: boolean; normal: number; normalTie: boolean; over: number; overTie: boolean }

function thresholds(f: FloatFormat): Thresholds {
  const flush = f.minSubnormal / 2;
  const normal = f.minNormal - f.minSubnormal / 2;
  const over = f.max + f.resolutionAt(f.max) / 2;
  // The ties are decided by the format's own rounding rather than assumed.
  const overflowMode = f.specials === 'fn' ? 'nan' : 'inf';
  return {
    flush, flushTie: f.round(flush) === 0,
    normal, normalTie: f.round(normal) >= f.minNormal,
    over, overTie: !(Math.abs(f.round(over, overflowMode)) <= f.max),
  };
}
const THRESHOLDS = FORMAT_IDS.map((id) => thresholds(TELEMETRY_FORMATS[id]));

const f32Exponent = (v: number) => (new Uint32Array(Float32Array.of(v).buffer)[0] >>> 23) - 127;
/**
 * Per biased float32 exponent, a bit per format (THRESHOLDS order) whose thresholds can be reached at that exponent:
 * with minNormal = 2^emin and 2^emax ≤ max, every |x| in [2^e, 2^(e+1)) for emin ≤ e < emax is at least minNormal
 * (above the flush and subnormal thresholds) and below max (under the overflow one), so it needs no comparison.
 * Activations run to tens of millions of values per step; most of them take this one lookup.
 */
const CHECK_BITS = (() => {
  const bits = new Uint8Array(256);
  for (let biased = 0; biased < 256; biased++) {
    const e = biased - 127;
    FORMAT_IDS.forEach((id, k) => {
      const f = TELEMETRY_FORMATS[id];
      if (e < f32Exponent(f.minNormal) || e >= f32Exponent(f.max)) bits[biased] |= 1 << k;
    });
  }
  return bits;
})();

/** Accumulates values (any number of tensors) into one histogram and the per-format share counts. */
export class RangeHistogram {
  count = 0;
  zeros = 0;
  nonFinite = 0;
  readonly counts = new Array<number>(BIN_COUNT).fill(0);
  /** Per format (TELEMETRY_FORMATS order): underflow, subnormal, overflow counts. */
  private readonly hits = FORMAT_IDS.map(() => [0, 0, 0]);

  add(x: Float32Array): this {
    // The bin is read off the float32 exponent field: exact, where Math.log2 can be off by one at powers of two.
    const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
    this.count += x.length;
    for (let i = 0; i < x.length; i++) {
      const u = bits[i] & 0x7fffffff;
      if (u === 0) { this.zeros++; continue; }
      if (u >= 0x7f800000) { this.nonFinite++; continue; }
      const e = (u >>> 23) - 127; // float32 subnormals give -127, far below the first bin anyway
      this.counts[Math.min(Math.max(e, TELEMETRY_BIN_FROM), TELEMETRY_BIN_TO) - TELEMETRY_BIN_FROM]++;
      const check = CHECK_BITS[u >>> 23];
      if (check === 0) continue;
      const a = Math.abs(x[i]);
      for (let k = 0; k < THRESHOLDS.length; k++) {
        if ((check & (1 << k)) === 0) continue;
        const t = THRESHOLDS[k];
        if (a < t.flush || (a === t.flush && t.flushTie)) this.hits[k][0]++;
        else if (a < t.normal || (a === t.normal && !t.normalTie)) this.hits[k][1]++;
        else if (a > t.over || (a === t.over && t.overTie)) this.hits[k][2]++;
      }
    }
    return this;
  }

  /** Adds another histogram's values, as if they had been added here: one pass per tensor, summed per group. */
  merge(other: RangeHistogram): this {
    this.count += other.count;
    this.zeros += other.zeros;
    this.nonFinite += other.nonFinite;
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    for (let k = 0; k < this.hits.length; k++) for (let j = 0; j < 3; j++) this.hits[k][j] += other.hits[k][j];
    return this;
  }

  summary(): RangeSummary {
    const nonZero = this.count - this.zeros - this.nonFinite;
    const share = (n: number) => (nonZero > 0 ? n / nonZero : 0);
    const shares = Object.fromEntries(FORMAT_IDS.map((id, k) => {
      const [u, s, o] = this.hits[k];
      return [id, { underflow: share(u), subnormal: share(s), overflow: share(o) }];
    })) as Record<TelemetryFormatId, RangeShares>;
    return { count: this.count, zeros: this.zeros, nonFinite: this.nonFinite, bins: { from: TELEMETRY_BIN_FROM, counts: [...this.counts] }, shares };
  }
}

/** The summary of a set of tensors taken together. */
export function rangeSummary(tensors: Iterable<Float32Array>): RangeSummary {
  const h = new RangeHistogram();
  for (const t of tensors) h.add(t);
  return h.summary();
}
