// Range telemetry math: histogram bins and the fp16/bf16/fp8 underflow, subnormal and overflow shares at their exact
// boundaries, checked against the formats' own rounding (FloatFormat.round).
import { describe, expect, it } from 'vitest';
import { BF16, FP16, FP8_E4M3, FP8_E5M2 } from '../../../src-main/common/precision/formats';
import { RangeHistogram, rangeSummary, TELEMETRY_BIN_FROM, TELEMETRY_FORMATS, type RangeShares } from '../../../src-main/common/precision/range-telemetry';

const f32 = (...v: number[]) => Float32Array.from(v);
/** The shares of a single value: which of underflow / subnormal / overflow it counts as, per format. */
const one = (x: number) => rangeSummary([f32(x)]).shares;
const only = (kind: keyof RangeShares | null): RangeShares => ({ underflow: kind === 'underflow' ? 1 : 0, subnormal: kind === 'subnormal' ? 1 : 0, overflow: kind === 'overflow' ? 1 : 0 });

describe('range histogram', () => {
  it('bins floor(log2 |x|) exactly, clamps to 2^-40 … 2^20, counts zeros and non-finite apart', () => {
    const s = rangeSummary([f32(1, -1, 1.999, 2, 0.5, 2 ** -40, 2 ** -41, 1e-45, 2 ** 20, 2 ** 21, 3e38), f32(0, -0, Infinity, NaN)]);
    expect(s.bins.from).toBe(TELEMETRY_BIN_FROM);
    expect(s.bins.counts).toHaveLength(61);
    const at = (e: number) => s.bins.counts[e - TELEMETRY_BIN_FROM];
    expect(at(0)).toBe(3); // 1, -1, 1.999
    expect(at(1)).toBe(1);
    expect(at(-1)).toBe(1);
    expect(at(-40)).toBe(3); // 2^-40, 2^-41 and a float32 subnormal
    expect(at(20)).toBe(3); // 2^20, 2^21, 3e38
    expect(s).toMatchObject({ count: 15, zeros: 2, nonFinite: 2 });
    expect(s.bins.counts.reduce((a, b) => a + b, 0) + s.zeros + s.nonFinite).toBe(s.count);
  });

  it('gives shares of the finite non-zero values, 0 when there are none', () => {
    const s = rangeSummary([f32(0, 0, 2 ** -30, 1, 1, 1e5, NaN)]);
    expect(s.shares.fp16).toEqual({ underflow: 0.25, subnormal: 0, overflow: 0.25 });
    expect(rangeSummary([f32(0, 0)]).shares.fp16).toEqual(only(null));
    expect(new RangeHistogram().summary().count).toBe(0);
  });

  it('accepts a view into a larger buffer', () => {
    const buf = f32(5, 2 ** -30, 7, 9);
    expect(rangeSummary([buf.subarray(1, 2)]).shares.fp16.underflow).toBe(1);
  });
});

describe('fp16 boundaries', () => {
  const sub = 2 ** -24;
  it('min subnormal 2^-24 is subnormal, half of it flushes (tie to even 0), just above half rounds up to it', () => {
    expect(one(sub).fp16).toEqual(only('subnormal'));
    expect(one(sub / 2).fp16).toEqual(only('underflow'));
    expect(FP16.round(sub / 2)).toBe(0);
    const above = Math.fround(sub / 2 * (1 + 2 ** -20));
    expect(FP16.round(above)).toBe(sub);
    expect(one(above).fp16).toEqual(only('subnormal'));
  });
  it('min normal 2^-14 is normal; the tie below it rounds up to it', () => {
    expect(one(2 ** -14).fp16).toEqual(only(null));
    expect(one(2 ** -14 - sub / 2).fp16).toEqual(only(null));
    expect(one(2 ** -14 - sub).fp16).toEqual(only('subnormal'));
    expect(one(2 ** -14 - sub * 0.75).fp16).toEqual(only('subnormal'));
  });
  it('65504 is max; 65519 rounds to it; 65520 rounds to inf', () => {
    expect(one(65504).fp16).toEqual(only(null));
    expect(one(65519).fp16).toEqual(only(null));
    expect(one(65520).fp16).toEqual(only('overflow'));
    expect(FP16.round(65520)).toBe(Infinity);
  });
});

describe('bf16, fp8 E4M3 and E5M2 boundaries', () => {
  it('bf16: 2^-133 subnormal, 2^-134 flushes, 2^-126 normal, max and its rounding tie', () => {
    expect(one(2 ** -133).bf16).toEqual(only('subnormal'));
    expect(one(2 ** -134).bf16).toEqual(only('underflow'));
    expect(one(2 ** -126).bf16).toEqual(only(null));
    expect(one(BF16.max).bf16).toEqual(only(null));
    const tie = BF16.max + 2 ** 119;
    expect(BF16.round(tie)).toBe(Infinity);
    expect(one(tie).bf16).toEqual(only('overflow'));
    expect(one(Math.fround(BF16.max + 2 ** 118)).bf16).toEqual(only(null));
  });
  it('E4M3: 2^-9 subnormal, 2^-10 flushes, 2^-6 normal, 448 max, 464 (the tie) rounds to 448, above it overflows', () => {
    expect(FP8_E4M3.minSubnormal).toBe(2 ** -9);
    expect(one(2 ** -9).fp8e4m3).toEqual(only('subnormal'));
    expect(one(2 ** -10).fp8e4m3).toEqual(only('underflow'));
    expect(one(2 ** -6).fp8e4m3).toEqual(only(null));
    expect(one(448).fp8e4m3).toEqual(only(null));
    expect(FP8_E4M3.round(464)).toBe(448);
    expect(one(464).fp8e4m3).toEqual(only(null));
    expect(one(465).fp8e4m3).toEqual(only('overflow'));
  });
  it('E5M2: 2^-16 subnormal, 2^-17 flushes, 2^-14 normal, 57344 max, 61440 (the tie) rounds to inf', () => {
    expect(one(2 ** -16).fp8e5m2).toEqual(only('subnormal'));
    expect(one(2 ** -17).fp8e5m2).toEqual(only('underflow'));
    expect(one(2 ** -14).fp8e5m2).toEqual(only(null));
    expect(one(57344).fp8e5m2).toEqual(only(null));
    expect(one(61439).fp8e5m2).toEqual(only(null));
    expect(FP8_E5M2.round(61440)).toBe(Infinity);
    expect(one(61440).fp8e5m2).toEqual(only('overflow'));
  });

  it('agrees with each format\'s rounding on a sweep of float32 values', () => {
    const xs: number[] = [];
    for (let e = -150; e <= 127; e++) for (const m of [1, 1.0625, 1.25, 1.5, 1.75, 1.9375, 1.99]) xs.push(Math.fround(m * 2 ** e));
    const finite = xs.filter((x) => Number.isFinite(x) && x !== 0);
    for (const [id, f] of Object.entries(TELEMETRY_FORMATS)) {
      const expected = { underflow: 0, subnormal: 0, overflow: 0 };
      for (const x of finite) {
        const r = Math.abs(f.round(x, f.specials === 'fn' ? 'nan' : 'inf'));
        if (r === 0) expected.underflow++;
        else if (r < f.minNormal) expected.subnormal++;
        else if (!(r <= f.max)) expected.overflow++;
      }
      const got = rangeSummary([Float32Array.from(finite)]).shares[id as keyof typeof TELEMETRY_FORMATS];
      expect(got.underflow * finite.length, id).toBeCloseTo(expected.underflow, 6);
      expect(got.subnormal * finite.length, id).toBeCloseTo(expected.subnormal, 6);
      expect(got.overflow * finite.length, id).toBeCloseTo(expected.overflow, 6);
    }
  });
});
