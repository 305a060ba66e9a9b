// The float formats on their own: constants, every pattern's round trip, every midpoint's tie to even, the overflow
// and underflow thresholds, fp32 against the engine's own Math.fround, and the field breakdown shown in the explorer.
import { describe, expect, it } from 'vitest';
import { BF16, FLOAT_FORMATS, FP16, FP32, FP8_E4M3, FP8_E5M2, type FloatFormat } from '../../../src-main/common/precision/formats';
import { mulberry32 } from '../../../src-main/common/precision/sample';

const SMALL = [FP16, BF16, FP8_E4M3, FP8_E5M2];
const signPlace = (f: FloatFormat) => 2 ** (f.bits - 1);

describe('format constants', () => {
  it.each([
    // format, max, min normal, min subnormal, epsilon, bits of 1.0
    [FP32, 3.4028234663852886e38, 2 ** -126, 2 ** -149, 2 ** -23, 0x3f800000],
    [FP16, 65504, 2 ** -14, 2 ** -24, 2 ** -10, 0x3c00],
    [BF16, 3.3895313892515355e38, 2 ** -126, 2 ** -133, 2 ** -7, 0x3f80],
    [FP8_E4M3, 448, 2 ** -6, 2 ** -9, 2 ** -3, 0x38],
    [FP8_E5M2, 57344, 2 ** -14, 2 ** -16, 2 ** -2, 0x3c],
  ])('%s', (f, max, minNormal, minSub, eps, one) => {
    expect([f.max, f.minNormal, f.minSubnormal, f.epsilon, f.encode(1)]).toEqual([max, minNormal, minSub, eps, one]);
    expect(f.decode(f.maxBits)).toBe(max);
    expect(f.round(1 + f.epsilon)).toBe(1 + f.epsilon);
  });

  it('E4M3FN has no infinity and one NaN per sign; E5M2 is IEEE-like', () => {
    expect(FP8_E4M3.infBits).toBeNull();
    const e4nans = Array.from({ length: 256 }, (_, b) => b).filter((b) => Number.isNaN(FP8_E4M3.decode(b)));
    expect(e4nans).toEqual([0x7f, 0xff]);
    expect(FP8_E4M3.decode(0x7e)).toBe(448);
    const e5nans = Array.from({ length: 256 }, (_, b) => b).filter((b) => Number.isNaN(FP8_E5M2.decode(b)));
    expect(e5nans).toEqual([0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff]);
    expect([FP8_E5M2.decode(0x7c), FP8_E5M2.decode(0xfc)]).toEqual([Infinity, -Infinity]);
  });
});

describe('every pattern round-trips: encode(decode(b)) === b (NaN patterns → the canonical NaN)', () => {
  it.each(SMALL.map((f) => [f.name, f] as const))('%s: all patterns', (_, f) => {
    let checked = 0;
    for (let b = 0; b < 2 ** f.bits; b++) {
      const v = f.decode(b);
      if (Number.isNaN(v)) {
        expect(f.classify(b)).toBe('nan');
        expect(f.encode(v)).toBe(f.nanBits);
      } else {
        // Representable finite values are untouched by any overflow mode (saturation maps ±inf to ±max).
        for (const mode of Number.isFinite(v) ? f.overflowModes : [f.defaultOverflow]) if (f.encode(v, mode) !== b) expect([b, mode, f.encode(v, mode)]).toEqual([b, mode, b]);
      }
      checked++;
    }
    expect(checked).toBe(2 ** f.bits);
  });

  it('fp32: every 16381st pattern and the edges', () => {
    const patterns = [0, 1, 0x7fffff, 0x800000, 0x7f7fffff, 0x7f800000, 0x80000000, 0xff800000, 0xffffffff];
    for (let b = 0; b < 2 ** 32; b += 16381) patterns.push(b);
    for (const b of patterns) {
      const v = FP32.decode(b);
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, b);
      if (Number.isNaN(v)) expect(Number.isNaN(view.getFloat32(0))).toBe(true);
      else if (v !== view.getFloat32(0) || FP32.encode(v) !== b) expect([b, v, FP32.encode(v)]).toEqual([b, view.getFloat32(0), b]);
    }
  });
});

describe('rounding between representables (exhaustive over adjacent pairs)', () => {
  it.each(SMALL.map((f) => [f.name, f] as const))('%s: midpoints tie to even, anything off the midpoint goes to the nearer', (_, f) => {
    for (let b = 0; b < f.maxBits; b++) {
      const lo = f.decode(b);
      const hi = f.decode(b + 1);
      const mid = (lo + hi) / 2; // exact in double
      const nudge = (hi - lo) * 2 ** -20;
      const even = b % 2 === 0 ? b : b + 1;
      const got = [f.encode(mid), f.encode(mid - nudge), f.encode(mid + nudge), f.encode(-mid)];
      const want = [even, b, b + 1, even + signPlace(f)];
      if (got.some((g, i) => g !== want[i])) expect({ b, got }).toEqual({ b, got: want });
    }
  });
});

describe('overflow and underflow thresholds', () => {
  it('fp16: 65504 is max, 65520 (the midpoint to 2^16) rounds to inf, just below stays 65504', () => {
    expect(FP16.round(65504)).toBe(65504);
    expect(FP16.round(65519.99)).toBe(65504);
    expect(FP16.round(65520)).toBe(Infinity);
    expect(FP16.round(-65520)).toBe(-Infinity);
    expect(FP16.round(65520, 'saturate')).toBe(65504);
    expect(FP16.round(1e300)).toBe(Infinity);
  });

  it('fp16: 2^-24 is the smallest subnormal, 2^-25 ties to 0, anything above it rounds up', () => {
    expect(FP16.round(2 ** -24)).toBe(2 ** -24);
    expect(FP16.encode(2 ** -25)).toBe(0);
    expect(FP16.encode(-(2 ** -25))).toBe(0x8000); // -0 keeps its sign
    expect(FP16.round(2 ** -25 * (1 + 2 ** -30))).toBe(2 ** -24);
    expect(FP16.round(3 * 2 ** -26)).toBe(2 ** -24);
    expect(FP16.round(3 * 2 ** -25)).toBe(2 ** -23); // 1.5 steps: tie to the even step count 2
    expect(FP16.round(6e-8)).toBe(2 ** -24);
    expect(FP16.round(1e-8)).toBe(0);
    expect(FP16.classify(FP16.encode(1e-5))).toBe('subnormal');
  });

  it('subnormals round up into the normals: the largest subnormal + half a step is 2^-14', () => {
    expect(FP16.encode(2 ** -14 - 2 ** -25)).toBe(0x0400);
    expect(FP8_E4M3.encode(2 ** -6 - 2 ** -10)).toBe(0x08);
  });

  it('bf16 keeps fp32 range: 65520 → 65536, 3e38 finite, ties to even at 1 + 2^-8', () => {
    expect(BF16.round(65520)).toBe(65536);
    expect(BF16.round(1 + 2 ** -8)).toBe(1);
    expect(BF16.round(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(BF16.round(BF16.max + BF16.resolutionAt(BF16.max) / 2)).toBe(Infinity);
    expect(BF16.round(FP32.max)).toBe(Infinity); // fp32 max lies beyond bf16's midpoint to 2^128
  });

  it('E4M3FN: 464 (the midpoint to the NaN slot) ties to 448; beyond saturates, or is NaN in the non-saturating mode', () => {
    expect(FP8_E4M3.round(464, 'nan')).toBe(448);
    expect(FP8_E4M3.round(464.001, 'nan')).toBeNaN();
    expect(FP8_E4M3.encode(-464.001, 'nan')).toBe(0xff);
    expect(FP8_E4M3.round(464.001)).toBe(448);
    expect(FP8_E4M3.round(1e9)).toBe(448);
    expect(FP8_E4M3.round(-Infinity)).toBe(-448);
    expect(FP8_E4M3.round(Infinity, 'nan')).toBeNaN();
    expect(FP8_E4M3.round(2 ** -9)).toBe(2 ** -9);
    expect(FP8_E4M3.round(2 ** -10)).toBe(0);
    expect(FP8_E4M3.round(2 ** -10 * 1.001)).toBe(2 ** -9);
    expect(() => FP8_E4M3.encode(1, 'inf')).toThrow(/no 'inf'/);
  });

  it('E5M2: 57344 max, 61440 → inf (or 57344 saturating), 2^-16 smallest subnormal', () => {
    expect(FP8_E5M2.round(61439)).toBe(57344);
    expect(FP8_E5M2.round(61440)).toBe(Infinity);
    expect(FP8_E5M2.round(61440, 'saturate')).toBe(57344);
    expect(FP8_E5M2.round(Infinity, 'saturate')).toBe(57344);
    expect(FP8_E5M2.round(2 ** -17)).toBe(0);
    expect(FP8_E5M2.round(2 ** -17 * 1.01)).toBe(2 ** -16);
  });

  it('±0, ±inf and NaN', () => {
    for (const f of FLOAT_FORMATS) {
      expect(f.encode(0)).toBe(0);
      expect(f.encode(-0)).toBe(signPlace(f));
      expect(Object.is(f.decode(signPlace(f)), -0)).toBe(true);
      expect(f.encode(NaN)).toBe(f.nanBits);
      if (f.infBits !== null) expect(f.encode(-Infinity)).toBe(f.infBits + signPlace(f));
    }
  });
});

describe('fp32 against Math.fround (ECMAScript rounds to fp32 ties-to-even)', () => {
  it('200,000 random doubles around the fp32 range, plus its edges', () => {
    const random = mulberry32(7);
    const view = new DataView(new ArrayBuffer(8));
    const values = [FP32.max, FP32.max * (1 + 2 ** -25), FP32.max * (1 + 2 ** -24), 2 ** -149, 2 ** -150, 2 ** -150 * 1.0000001, 1 / 3];
    for (let i = 0; i < 200_000; i++) {
      const exponent = 1023 - 160 + Math.floor(random() * 300); // 2^-160 .. 2^140
      view.setUint32(0, (random() < 0.5 ? 0x80000000 : 0) + exponent * 2 ** 20 + Math.floor(random() * 2 ** 20));
      view.setUint32(4, Math.floor(random() * 2 ** 32));
      values.push(view.getFloat64(0));
    }
    for (const x of values) {
      view.setFloat32(0, x);
      const want = view.getUint32(0);
      if (FP32.encode(x) !== want) expect([x, FP32.encode(x)]).toEqual([x, want]);
    }
  });
});

describe('resolution and fields', () => {
  it('resolutionAt gives the ULP of the binade', () => {
    expect(FP16.resolutionAt(1)).toBe(2 ** -10);
    expect(FP16.resolutionAt(1000)).toBe(0.5);
    expect(FP16.resolutionAt(-65504)).toBe(32);
    expect(FP16.resolutionAt(1e-7)).toBe(2 ** -24);
    expect(BF16.resolutionAt(1)).toBe(2 ** -7);
    expect(FP8_E4M3.resolutionAt(448)).toBe(32);
    expect(FP8_E4M3.resolutionAt(1e6)).toBe(32);
    expect(FP8_E5M2.resolutionAt(57344)).toBe(8192);
    expect(FP16.resolutionAt(NaN)).toBeNaN();
  });

  it('splits a pattern into sign, exponent and mantissa', () => {
    expect(FP16.fields(FP16.encode(1))).toEqual({ sign: '0', exponent: '01111', mantissa: '0000000000', kind: 'normal', exponentValue: 0, significand: 1 });
    expect(FP16.fields(FP16.encode(-2))).toMatchObject({ sign: '1', exponent: '10000', mantissa: '0000000000', exponentValue: 1 });
    expect(FP16.fields(1)).toMatchObject({ exponent: '00000', mantissa: '0000000001', kind: 'subnormal', exponentValue: -14, significand: 2 ** -10 });
    expect(FP8_E4M3.fields(0x7e)).toMatchObject({ sign: '0', exponent: '1111', mantissa: '110', kind: 'normal', exponentValue: 8, significand: 1.75 });
    expect(FP8_E4M3.fields(0x7f)).toMatchObject({ kind: 'nan', exponentValue: null, significand: null });
    expect(FP32.fields(FP32.encode(-1.5))).toMatchObject({ sign: '1', exponent: '01111111', mantissa: '1'.padEnd(23, '0') });
    expect(() => FP16.decode(65536)).toThrow(RangeError);
  });
});
