// INT8 with a scale (symmetric, ties to even, clamp to ±127), the explained conversion, and FP8 vs INT8 on a sample.
import { describe, expect, it } from 'vitest';
import { FP16, FP8_E4M3, BF16 } from '../../../src-main/common/precision/formats';
import { convert, convertAll, bitsHex } from '../../../src-main/common/precision/convert';
import { int8AbsmaxScale, int8Decode, int8Encode, int8Outcome, int8Quantize, int8Round } from '../../../src-main/common/precision/int8';
import { amaxScale, compareAtScale, normalSample, quantStats } from '../../../src-main/common/precision/sample';

describe('INT8 with a scale', () => {
  it('rounds half to even, symmetrically', () => {
    expect([1.25, 1.75, -1.25, -1.75, 0.25, 0.75].map((x) => int8Quantize(x, 0.5))).toEqual([2, 4, -2, -4, 0, 2]);
    expect(int8Round(1.3, 0.5)).toBe(1.5);
    expect(Object.is(int8Quantize(-0.1, 0.5), 0)).toBe(true); // no negative zero in an integer
  });

  it('clamps to [-127, 127], never producing -128', () => {
    expect(int8Quantize(100, 0.5)).toBe(127);
    expect(int8Quantize(-64, 0.5)).toBe(-127);
    expect(int8Quantize(-Infinity, 1)).toBe(-127);
    expect(int8Quantize(NaN, 1)).toBe(0);
    expect(int8Outcome(63.74, 0.5)).toBe('rounded'); // 127.48 steps: still inside
    expect(int8Outcome(63.75, 0.5)).toBe('clipped'); // 127.5 ties to 128: beyond the range
    expect(int8Outcome(0.2, 0.5)).toBe('flushed');
    expect(int8Outcome(1.5, 0.5)).toBe('exact');
  });

  it('encodes two’s-complement bytes and decodes all 256', () => {
    expect([int8Encode(-0.5, 0.5), int8Encode(-63.5, 0.5), int8Encode(63.5, 0.5)]).toEqual([0xff, 0x81, 0x7f]);
    expect([int8Decode(0x80, 2), int8Decode(0x81, 2), int8Decode(0x7f, 2)]).toEqual([-256, -254, 254]);
    for (let b = 0; b < 256; b++) if (b !== 0x80) expect(int8Encode(int8Decode(b, 0.25), 0.25)).toBe(b);
    expect(() => int8Round(1, 0)).toThrow(RangeError);
    expect(int8AbsmaxScale([0.5, -2.54, 1])).toBeCloseTo(0.02, 12);
  });
});

describe('convert: one value explained', () => {
  it('65520: fp16 overflows to inf, bf16 rounds to 65536, E4M3 saturates, fp32 is exact', () => {
    const byId = Object.fromEntries(convertAll(65520).map((c) => [c.format.id, c]));
    expect([byId.fp32.outcome, byId.fp16.outcome, byId.bf16.outcome, byId.fp8e4m3.outcome, byId.fp8e5m2.outcome])
      .toEqual(['exact', 'overflow', 'rounded', 'saturated', 'overflow']);
    expect([byId.fp16.value, byId.bf16.value, byId.fp8e4m3.value]).toEqual([Infinity, 65536, 448]);
    expect(byId.fp16.absError).toBe(Infinity);
    expect(byId.bf16.relError).toBeCloseTo(16 / 65520, 15);
  });

  it('tiny values: underflow to 0, subnormal, rounding within E4M3 max', () => {
    expect(convert(FP16, 1e-8).outcome).toBe('underflow');
    expect(convert(FP16, 6e-8)).toMatchObject({ outcome: 'subnormal', value: 2 ** -24 });
    expect(convert(BF16, 6e-8).outcome).toBe('rounded');
    expect(convert(FP8_E4M3, 450).outcome).toBe('rounded'); // rounds to 448 by ordinary rounding, not saturation
    expect(convert(FP8_E4M3, 1e4, 'nan').outcome).toBe('overflow');
    expect(convert(FP16, NaN).outcome).toBe('nan');
    expect(convert(FP16, 2 ** -24).outcome).toBe('subnormal');
    expect(convert(FP16, 0.5)).toMatchObject({ outcome: 'exact', absError: 0, relError: 0 });
    expect(bitsHex(FP16, FP16.encode(1))).toBe('0x3c00');
    expect(bitsHex({ bits: 32 }, 0x3f800000)).toBe('0x3f800000');
  });
});

describe('FP8 vs INT8 on a normal sample', () => {
  const sample = normalSample(2000, 1, 42);

  it('is seeded: the same seed gives the same values, and they look normal(0, 1)', () => {
    expect(normalSample(2000, 1, 42)).toEqual(sample);
    expect(normalSample(2000, 1, 43)).not.toEqual(sample);
    const mean = sample.reduce((a, b) => a + b, 0) / sample.length;
    const sd = Math.sqrt(sample.reduce((a, b) => a + (b - mean) ** 2, 0) / sample.length);
    expect(Math.abs(mean)).toBeLessThan(0.08);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    expect(normalSample(3, 2, 1)).toHaveLength(3);
  });

  it('at each format’s amax scale nothing clips; INT8 wins on absolute error, E4M3 on relative error', () => {
    const e4 = quantStats(sample, 'fp8e4m3', amaxScale(sample, 'fp8e4m3'));
    const step = amaxScale(sample, 'int8');
    const i8 = quantStats(sample, 'int8', step);
    expect([e4.clipped, i8.clipped]).toEqual([0, 0]);
    expect(i8.meanAbsError).toBeLessThan(e4.meanAbsError);
    expect(e4.meanRelError).toBeLessThan(i8.meanRelError);
    expect(i8.flushed).toBeGreaterThan(0); // values within half a step of 0
    expect(i8.flushedExamples.every((x) => Math.abs(x) <= step / 2)).toBe(true);
  });

  it('a small scale clips INT8 and E4M3 but not E5M2; a large one flushes INT8 to zero', () => {
    const [e4, e5, i8] = compareAtScale(sample, 1e-4);
    expect(e5.clipped).toBe(0);
    expect(e4.clipped).toBeGreaterThan(1500);
    expect(i8.clipped).toBeGreaterThan(1500);
    expect(e4.clippedExamples.every((x) => Math.abs(x / 1e-4) > 448)).toBe(true);
    const big = compareAtScale(sample, 4);
    expect(big[2].flushed).toBeGreaterThan(1500);
    expect(big[0].flushed).toBeLessThan(50);
    expect(big[2].flushedExamples.every((x) => Math.abs(x) <= 2)).toBe(true);
  });
});
