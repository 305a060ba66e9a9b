// MinHash signatures over hashed shingles: NUM_PERM seeded 32-bit permutations, computed with Math.imul on typed arrays.
import { mulberry32 } from './hash';

export const DEFAULT_NUM_PERM = 256;

/**
 * NUM_PERM permutations of the 32-bit integers, π_i(x) = g(a_i·(x ⊕ b_i) mod 2^32) with a_i odd and g an xor-shift:
 * each step is a bijection, so π_i is one. The multiply carries low bits upward and the xor-shift brings high bits back
 * down, which is what makes the minima of different π_i behave independently on already-hashed shingles (the test
 * checks the estimates against true Jaccard). Two multiplies per (shingle, permutation) instead of 64-bit modular
 * arithmetic, which JavaScript could only do with BigInt or float splitting.
 */
export class MinHasher {
  readonly numPerm: number;
  private readonly a: Int32Array;
  private readonly b: Int32Array;

  constructor(numPerm = DEFAULT_NUM_PERM, seed = 1) {
    this.numPerm = numPerm;
    const rand = mulberry32(seed);
    const u32 = () => (rand() * 4294967296) | 0;
    this.a = new Int32Array(numPerm);
    this.b = new Int32Array(numPerm);
    for (let i = 0; i < numPerm; i++) {
      this.a[i] = u32() | 1;
      this.b[i] = u32();
    }
  }

  /** The signature of a shingle set: per permutation, the smallest permuted value (as signed int32). */
  signature(shingles: Int32Array, out = new Int32Array(this.numPerm)): Int32Array {
    const { a, b, numPerm } = this;
    const n = shingles.length;
    // Permutation-major: a_i, b_i and the running minimum stay in registers while the shingles stream past.
    for (let i = 0; i < numPerm; i++) {
      const ai = a[i];
      const bi = b[i];
      let min = 0x7fffffff;
      for (let s = 0; s < n; s++) {
        let h = Math.imul(shingles[s] ^ bi, ai);
        h ^= h >>> 16;
        h = Math.imul(h, 0x45d9f3b);
        h ^= h >>> 16;
        if (h < min) min = h;
      }
      out[i] = min;
    }
    return out;
  }
}

/** The fraction of equal positions: an unbiased estimate of the Jaccard similarity of the two shingle sets. */
export function estimateJaccard(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === y[i]) same++;
  return same / x.length;
}
