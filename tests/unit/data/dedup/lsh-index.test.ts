// The LSH band index returns records that share a band with the query, each once, and never unrelated ones.
import { describe, expect, it } from 'vitest';
import { LshIndex } from '../../../../src-main/data/dedup/lsh-index';

const sig = (values: number[]) => Int32Array.from(values);

describe('LshIndex', () => {
  it('finds records sharing one band, once each, and not records sharing none', () => {
    const index = new LshIndex(4, 2);
    const a = sig([1, 2, 3, 4, 5, 6, 7, 8]);
    const sameLastBand = sig([9, 9, 9, 9, 9, 9, 7, 8]);
    const sameRowsNoBand = sig([1, 9, 3, 9, 5, 9, 7, 9]); // half the rows equal, but no whole band
    index.insert(0, index.keys(a));
    index.insert(1, index.keys(a));
    expect(index.candidates(index.keys(a))).toEqual([0, 1]);
    expect(index.candidates(index.keys(sameLastBand))).toEqual([0, 1]);
    expect(index.candidates(index.keys(sameRowsNoBand))).toEqual([]);
  });

  it('keeps bands apart: equal values in different bands do not match', () => {
    const index = new LshIndex(2, 2);
    index.insert(0, index.keys(sig([1, 2, 3, 4])));
    expect(index.candidates(index.keys(sig([3, 4, 1, 2])))).toEqual([]);
  });

  it('grows past its initial capacity', () => {
    const index = new LshIndex(2, 1);
    for (let id = 0; id < 5000; id++) index.insert(id, index.keys(sig([id, id % 10])));
    expect(index.candidates(index.keys(sig([4321, -1])))).toEqual([4321]);
    expect(index.candidates(index.keys(sig([-1, 3]))).length).toBe(500);
  });
});
