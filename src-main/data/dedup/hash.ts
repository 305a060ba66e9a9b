// Fast seedable 32-bit hashes (FNV-1a over UTF-16 code units + the murmur3 finaliser) for the dedup helpers; no BigInt.

/** The murmur3 finaliser: spreads every input bit over all 32 output bits (FNV alone leaves the top bits weak). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A well-mixed signed 32-bit hash of S. Collisions are likely past ~65k distinct strings: use hash53 to index sets. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ s.length);
}

/**
 * A 53-bit hash (a safe integer, so a Set/Map key without strings): two independently seeded 32-bit hashes. Among a
 * million distinct strings the chance of any collision is about n²/2^54 ≈ 6e-5.
 */
export function hash53(s: string): number {
  return (hashString(s, 0x51ed270b) >>> 0) * 0x200000 + (hashString(s, 0x2545f491) & 0x1fffff);
}

/** Folds one 32-bit value into a running hash (order matters, so "a b" and "b a" differ). */
export function combine(h: number, v: number): number {
  return Math.imul((h ^ v) | 0, 0x9e3779b1) ^ (h >>> 15);
}

/** The seeded PRNG for the MinHash permutations and the tests' synthetic data (one mulberry32 for the whole app). */
export { mulberry32 } from '../../common/precision/sample';
