// Histograms: nice log-spaced edges, counts that sum to the total, and the summary numbers.
import { describe, expect, it } from 'vitest';
import { countEdges, histogram, median, niceEdges } from '../../../../src-main/data/analysis/histogram';

describe('histogram', () => {
  it('uses 0 and the 1-2-5 series up to the first edge above the max', () => {
    expect(niceEdges(0)).toEqual([0, 1]);
    expect(niceEdges(730)).toEqual([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    expect(niceEdges(1000)).toEqual([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
    expect(countEdges(3)).toEqual([0, 1, 2, 3, 4]);
    expect(countEdges(37)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 50]);
  });

  it('puts each value in [edge_i, edge_i+1) and the counts sum to the total', () => {
    const values = [0, 1, 1, 4, 5, 9, 10, 99, 100, 12345];
    const h = histogram(values);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(h.total).toBe(values.length);
    expect(h.counts.length).toBe(h.edges.length - 1);
    const bin = (v: number) => h.edges.findIndex((e, i) => v >= e && v < h.edges[i + 1]!);
    const expected = new Array(h.counts.length).fill(0);
    for (const v of values) expected[bin(v)]++;
    expect(h.counts).toEqual(expected);
    expect(h).toMatchObject({ min: 0, max: 12345, median: 7 });
    expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length);
  });

  it('is all zeros for no values', () => {
    expect(histogram([])).toEqual({ edges: [0, 1], counts: [0], total: 0, min: 0, max: 0, mean: 0, median: 0 });
  });

  it('takes the median of sorted values', () => {
    expect(median([1, 2, 3])).toBe(2);
    expect(median([1, 2, 3, 10])).toBe(2.5);
  });
});
