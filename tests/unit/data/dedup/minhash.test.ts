// MinHash: the fraction of equal signature positions estimates Jaccard without bias, within its binomial noise.
import { describe, expect, it } from 'vitest';
import { fmix32, mulberry32 } from '../../../../src-main/data/dedup/hash';
import { MinHasher, estimateJaccard } from '../../../../src-main/data/dedup/minhash';

/** Two hashed sets of N elements sharing round(2NJ/(1+J)) of them, and their true Jaccard. */
function pair(n: number, j: number, base: number): { a: Int32Array; b: Int32Array; jaccard: number } {
  const shared = Math.round((2 * n * j) / (1 + j));
  const a = Int32Array.from({ length: n }, (_, i) => fmix32(base + i));
  const b = Int32Array.from({ length: n }, (_, i) => fmix32(i < shared ? base + i : base + 1_000_000 + i));
  return { a, b, jaccard: shared / (2 * n - shared) };
}

describe('MinHasher', () => {
  const mh = new MinHasher(256, 1);
  const rand = mulberry32(42);

  it('estimates Jaccard within 4σ per pair and without bias on average (256 permutations)', () => {
    for (const target of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const errors: number[] = [];
      for (let t = 0; t < 40; t++) {
        const { a, b, jaccard } = pair(120, target, (rand() * 1e9) | 0);
        const err = estimateJaccard(mh.signature(a), mh.signature(b)) - jaccard;
        expect(Math.abs(err)).toBeLessThan(4 * Math.sqrt((jaccard * (1 - jaccard)) / 256) + 1e-9);
        errors.push(err);
      }
      // The mean of 40 estimates has σ ≤ 0.005; a biased permutation family would drift further.
      expect(Math.abs(errors.reduce((x, y) => x + y) / errors.length)).toBeLessThan(0.012);
    }
  });

  it('gives 1 for equal sets (whatever the order and repeats) and ~0 for disjoint ones', () => {
    const { a } = pair(50, 0, 7);
    const shuffled = Int32Array.from([...a].reverse().concat([a[0], a[1]]));
    expect(estimateJaccard(mh.signature(a), mh.signature(shuffled))).toBe(1);
    const { a: x, b: y } = pair(50, 0, 99);
    expect(estimateJaccard(mh.signature(x), mh.signature(y))).toBeLessThan(0.03);
  });

  it('is deterministic per seed and changes with it', () => {
    const { a } = pair(30, 0, 5);
    expect(new MinHasher(64, 3).signature(a)).toEqual(new MinHasher(64, 3).signature(a));
    expect(new MinHasher(64, 3).signature(a)).not.toEqual(new MinHasher(64, 4).signature(a));
    expect(new MinHasher(64, 3).signature(a).length).toBe(64);
  });
});
