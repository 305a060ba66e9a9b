// Histograms over "nice" log-spaced bins (0, 1, 2, 5, 10, 20, 50, …) and the summary numbers shown beside them.
import type { Histogram } from '../../common/data-analysis';

/** 0 then the 1-2-5 series: bins a person reads at a glance, log-spaced so 50-char and 50k-char texts both show. */
export function niceEdges(max: number): number[] {
  const edges = [0];
  for (let decade = 1; edges[edges.length - 1]! <= max; decade *= 10) {
    for (const m of [1, 2, 5]) edges.push(m * decade);
  }
  return trimTo(edges, max);
}

/** Unit bins up to 10 (1 turn, 2 turns, …), then the 1-2-5 series: for small counts such as turns. */
export function countEdges(max: number): number[] {
  const edges = Array.from({ length: 11 }, (_, i) => i);
  for (let decade = 10; edges[edges.length - 1]! <= max; decade *= 10) edges.push(2 * decade, 5 * decade, 10 * decade);
  return trimTo(edges, max);
}

/** Drops the edges past the first one above MAX, so the last bin is the one MAX falls in. */
function trimTo(edges: number[], max: number): number[] {
  const end = edges.findIndex((e) => e > max);
  return edges.slice(0, end + 1);
}

/** A histogram of VALUES over EDGES (from niceEdges/countEdges of their max), with min/max/mean/median. */
export function histogram(values: ArrayLike<number>, edgesFor: (max: number) => number[] = niceEdges): Histogram {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const max = n ? sorted[n - 1]! : 0;
  const edges = edgesFor(max);
  const counts = new Array<number>(edges.length - 1).fill(0);
  let sum = 0;
  let bin = 0;
  // Values are sorted, so one forward walk over the bins places them all.
  for (const v of sorted) {
    while (v >= edges[bin + 1]!) bin++;
    counts[bin]!++;
    sum += v;
  }
  return { edges, counts, total: n, min: n ? sorted[0]! : 0, max, mean: n ? sum / n : 0, median: median(sorted) };
}

/** Median of an already sorted array (mean of the middle two for an even count); 0 when empty. */
export function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
