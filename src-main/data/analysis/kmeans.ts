// Spherical k-means (cosine similarity) over sparse unit vectors, seeded k-means++ start: the topic clustering.
//
// Shapes: n rows, V vocabulary, k clusters. Centroids are dense Float64Array(V), renormalised to unit length after each
// update, so assignment is argmax of a sparse·dense dot product: O(nnz · k) per iteration.
import { mulberry32 } from '../../common/precision/sample';
import type { SparseVector } from './tfidf';

export interface KMeansResult {
  assignment: Int32Array; // cluster of each row; -1 for an empty row (no vocabulary term), which joins no cluster
  centroids: Float64Array[]; // k × V, unit length
  similarity: Float64Array; // cosine of each row to its centroid
  iterations: number;
}

export interface KMeansOptions {
  seed?: number;
  maxIterations?: number;
  /**
   * Runs from different k-means++ starts, keeping the one whose rows sit closest to their centroids (scikit-learn's
   * n_init). Short texts share few words, so one start often lands in a poor local optimum.
   */
  restarts?: number;
}

export function kmeans(rows: SparseVector[], dims: number, k: number, opts: KMeansOptions = {}): KMeansResult {
  const { seed = 0, restarts = 5 } = opts;
  let best: KMeansResult | null = null;
  let bestScore = -Infinity;
  for (let r = 0; r < restarts; r++) {
    const result = kmeansOnce(rows, dims, k, seed + r * 7919, opts.maxIterations ?? 50);
    const score = result.similarity.reduce((s, v) => s + v, 0);
    if (score > bestScore) [best, bestScore] = [result, score];
  }
  return best!;
}

function kmeansOnce(rows: SparseVector[], dims: number, k: number, seed: number, maxIterations: number): KMeansResult {
  const random = mulberry32(seed);
  const usable = rows.map((_, i) => i).filter((i) => rows[i]!.ids.length > 0);
  const centroids = initPlusPlus(rows, usable, dims, Math.min(k, usable.length), random);
  const assignment = new Int32Array(rows.length).fill(-1);
  const similarity = new Float64Array(rows.length);

  let iterations = 0;
  for (let changed = true; changed && iterations < maxIterations; iterations++) {
    changed = false;
    for (const i of usable) {
      let best = 0;
      let bestSim = -Infinity;
      for (let c = 0; c < centroids.length; c++) {
        const s = dot(rows[i]!, centroids[c]!);
        if (s > bestSim) [best, bestSim] = [c, s];
      }
      if (assignment[i] !== best) [assignment[i], changed] = [best, true];
      similarity[i] = bestSim;
    }
    updateCentroids(rows, usable, assignment, centroids);
  }
  return { assignment, centroids, similarity, iterations };
}

/**
 * k-means++ (Arthur & Vassilvitskii, 2007): each next seed is a row drawn with probability proportional to its squared
 * distance to the nearest seed so far; for unit vectors that distance² is 2(1 − cos).
 */
function initPlusPlus(rows: SparseVector[], usable: number[], dims: number, k: number, random: () => number): Float64Array[] {
  const centroids: Float64Array[] = [];
  if (k === 0) return centroids;
  const nearest = new Float64Array(usable.length).fill(Infinity);
  let pick = usable[Math.floor(random() * usable.length)]!;
  while (centroids.length < k) {
    const c = dense(rows[pick]!, dims);
    centroids.push(c);
    let total = 0;
    for (let u = 0; u < usable.length; u++) {
      nearest[u] = Math.min(nearest[u]!, Math.max(0, 2 * (1 - dot(rows[usable[u]!]!, c))));
      total += nearest[u]!;
    }
    if (total === 0) break; // fewer distinct rows than k: the rest would be duplicates of existing centroids
    let r = random() * total;
    let u = 0;
    while (u < usable.length - 1 && (r -= nearest[u]!) > 0) u++;
    pick = usable[u]!;
  }
  return centroids;
}

/** Each centroid becomes the normalised mean of its rows; an emptied cluster keeps its old centroid. */
function updateCentroids(rows: SparseVector[], usable: number[], assignment: Int32Array, centroids: Float64Array[]): void {
  const sums = centroids.map((c) => new Float64Array(c.length));
  const sizes = new Int32Array(centroids.length);
  for (const i of usable) {
    const c = assignment[i]!;
    sizes[c]!++;
    const { ids, weights } = rows[i]!;
    for (let j = 0; j < ids.length; j++) sums[c]![ids[j]!]! += weights[j]!;
  }
  for (let c = 0; c < centroids.length; c++) {
    if (sizes[c] === 0) continue;
    let sq = 0;
    for (const v of sums[c]!) sq += v * v;
    const norm = Math.sqrt(sq) || 1;
    for (let d = 0; d < sums[c]!.length; d++) centroids[c]![d] = sums[c]![d]! / norm;
  }
}

export function dot(row: SparseVector, centroid: Float64Array): number {
  let s = 0;
  for (let j = 0; j < row.ids.length; j++) s += row.weights[j]! * centroid[row.ids[j]!]!;
  return s;
}

function dense(row: SparseVector, dims: number): Float64Array {
  const out = new Float64Array(dims);
  for (let j = 0; j < row.ids.length; j++) out[row.ids[j]!] = row.weights[j]!;
  return out;
}
