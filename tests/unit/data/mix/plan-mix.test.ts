// Mix planning: counts that honour the ratios without repeating a record, seeded picks, stratified eval counts.
import { describe, expect, it } from 'vitest';
import { evalCount, mixCounts, pickIndices, seededRandom } from '../../../../src-main/data/mix/plan-mix';

describe('mix planning', () => {
  it('takes the largest total no source runs out for, split by the ratios', () => {
    // 70/20/10 over sources of 1000, 100, 1000: the 20% source bounds the total at 500.
    expect(mixCounts([1000, 100, 1000], [0.7, 0.2, 0.1])).toEqual([350, 100, 50]);
    expect(mixCounts([10, 10], [1, 1])).toEqual([10, 10]);
    const odd = mixCounts([100, 100, 100], [1, 1, 1], 100);
    expect(odd.reduce((a, b) => a + b, 0)).toBe(100);
    expect(Math.max(...odd) - Math.min(...odd)).toBe(1);
  });

  it('refuses a total a source cannot supply, naming it', () => {
    expect(() => mixCounts([1000, 10], [0.5, 0.5], 100, ['domain@1', 'safety@2'])).toThrow(/source safety@2 has 10 records but the mix needs 50 .*at most 20/);
  });

  it('picks the same records for the same seed, without repeats', () => {
    const a = pickIndices(1000, 100, seededRandom(3));
    expect(a).toEqual(pickIndices(1000, 100, seededRandom(3)));
    expect(a).not.toEqual(pickIndices(1000, 100, seededRandom(4)));
    expect(new Set(a).size).toBe(100);
    expect(a.every((i, k) => i >= 0 && i < 1000 && (k === 0 || i > a[k - 1]))).toBe(true);
  });

  it('holds out the same fraction of every source, at least one and never all', () => {
    expect(evalCount(1000, 0.05)).toBe(50);
    expect(evalCount(10, 0.01)).toBe(1);
    expect(evalCount(2, 0.5)).toBe(1);
    expect(evalCount(1, 0.5)).toBe(0);
    expect(evalCount(100, 0)).toBe(0);
  });
});
