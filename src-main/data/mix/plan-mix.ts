// Mixing sources with target ratios: how many records to take from each (never repeating one), which ones (seeded),
// and which go to the eval split (the same fraction of every source, so the split is stratified by source).
import { mulberry32 } from '../../common/precision/sample';

/** The same seed picks the same records on every machine (the PRNG the number-format explorer samples with). */
export const seededRandom = mulberry32;

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Records per source for RATIOS (normalised to sum 1) over sources of SIZES. Without TOTAL, the largest total no
 * source runs out for; a TOTAL that needs more records than a source has is an error naming the source.
 */
export function mixCounts(sizes: readonly number[], ratios: readonly number[], total?: number, names: readonly string[] = []): number[] {
  const sum = ratios.reduce((a, b) => a + b, 0);
  const shares = ratios.map((r) => r / sum);
  // The epsilon absorbs float noise in the shares (0.7 + 0.2 + 0.1 is 0.9999999999999999, so 100 / 0.2 came out 499.99…).
  const largest = Math.floor(Math.min(...sizes.map((n, i) => n / shares[i])) + 1e-9);
  const target = total ?? largest;
  const counts = shares.map((s) => Math.floor(s * target + 1e-9));
  // Largest remainders get the records that rounding down left over, so the counts add up to the target.
  const order = shares.map((s, i) => ({ i, rest: s * target - counts[i] })).sort((a, b) => b.rest - a.rest);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < target; k++) counts[order[k % order.length].i] += 1;
  counts.forEach((c, i) => {
    if (c > sizes[i]) {
      throw new Error(`source ${names[i] ?? i + 1} has ${sizes[i]} records but the mix needs ${c} of it (${(shares[i] * 100).toFixed(1)}% of ${target}); lower the total (at most ${largest}) or the ratio`);
    }
  });
  return counts;
}

/** Picks COUNT of the indices 0..SIZE-1 without repetition, seeded; returns them sorted. */
export function pickIndices(size: number, count: number, random: () => number): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  return shuffleInPlace(all, random).slice(0, count).sort((a, b) => a - b);
}

/** How many of a source's N mixed records go to eval: round(N × fraction), at least one when the fraction is set and N > 1. */
export function evalCount(n: number, fraction: number): number {
  if (fraction <= 0 || n <= 1) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
}
