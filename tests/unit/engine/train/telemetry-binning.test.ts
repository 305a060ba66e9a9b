// The histogram's fast path (range-telemetry.ts CHECK_BITS: exponents that cannot reach a format's thresholds skip
// the comparisons) classifies exactly as each format's own rounding does, at every float32 exponent; merging
// per-tensor histograms equals binning all values at once.
import { describe, expect, it } from 'vitest';
import { RangeHistogram, rangeSummary, TELEMETRY_FORMATS, type TelemetryFormatId } from '../../../../src-main/common/precision/range-telemetry';

/** Per format: underflow (rounds to 0), subnormal (rounds below minNormal) or overflow (rounds past max), by f.round. */
function reference(a: number, id: TelemetryFormatId): 'underflow' | 'subnormal' | 'overflow' | null {
  const f = TELEMETRY_FORMATS[id];
  const r = Math.abs(f.round(a, f.specials === 'fn' ? 'nan' : 'inf'));
  if (r === 0) return 'underflow';
  if (!(r <= f.max)) return 'overflow';
  return r < f.minNormal ? 'subnormal' : null;
}

describe('range histogram fast path', () => {
  it('matches each format’s rounding at every float32 exponent (powers, their neighbours, mid-mantissas)', () => {
    const values: number[] = [];
    for (let e = -149; e <= 127; e++) {
      const p = 2 ** e;
      for (const m of [1, 1 + 2 ** -23, 1.5, 1.75, 1.9, 2 - 2 ** -23]) values.push(Math.fround(p * m));
      values.push(Math.fround(p * 0.99999994)); // just below the power
    }
    for (const id of Object.keys(TELEMETRY_FORMATS) as TelemetryFormatId[]) {
      const f = TELEMETRY_FORMATS[id];
      values.push(f.max, f.minNormal, f.minSubnormal, f.minSubnormal / 2, f.max + f.resolutionAt(f.max) / 2);
    }
    for (const v of values.filter((x) => Number.isFinite(x) && x > 0)) {
      const got = rangeSummary([Float32Array.of(v)]).shares;
      for (const id of Object.keys(TELEMETRY_FORMATS) as TelemetryFormatId[]) {
        const s = got[id];
        const kind = s.underflow ? 'underflow' : s.subnormal ? 'subnormal' : s.overflow ? 'overflow' : null;
        expect(kind, `${id} ${v}`).toBe(reference(Math.fround(v), id));
      }
    }
  });

  it('merge equals adding all values to one histogram', () => {
    const a = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 2 ** ((i % 60) - 30));
    const b = Float32Array.of(0, Infinity, 7e4, 500, 1e-9);
    const merged = new RangeHistogram().add(a).merge(new RangeHistogram().add(b)).summary();
    expect(merged).toEqual(rangeSummary([a, b]));
  });
});
