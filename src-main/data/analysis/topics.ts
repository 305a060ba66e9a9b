// Topic clusters of a sample of prompts: TF-IDF, spherical k-means, then each cluster's top terms and nearest examples.
import type { TopicCluster } from '../../common/data-analysis';
import { kmeans } from './kmeans';
import { tfidf } from './tfidf';

export interface TopicOptions {
  k?: number;
  seed?: number;
  terms?: number;
  examples?: number;
  /** Characters of each example snippet. */
  snippet?: number;
}

/** Clusters TEXTS (prompts) into at most K topics, largest first. Texts with no vocabulary term join none. */
export function topicClusters(texts: string[], opts: TopicOptions = {}): TopicCluster[] {
  const { k = 8, seed = 0, terms = 6, examples = 2, snippet = 160 } = opts;
  const matrix = tfidf(texts);
  if (matrix.vocabulary.length === 0) return [];
  const result = kmeans(matrix.rows, matrix.vocabulary.length, k, { seed });

  const members = result.centroids.map(() => [] as number[]);
  result.assignment.forEach((c, i) => c >= 0 && members[c]!.push(i));
  const clusters = result.centroids.map((centroid, c) => ({
    size: members[c]!.length,
    terms: topIndices(centroid, terms).filter((d) => centroid[d]! > 0).map((d) => matrix.vocabulary[d]!),
    examples: distinct(members[c]!.sort((a, b) => result.similarity[b]! - result.similarity[a]!).map((i) => snip(texts[i]!, snippet)), examples),
  }));
  return clusters.filter((c) => c.size > 0).sort((a, b) => b.size - a.size);
}

/** Indices of the N largest values. */
function topIndices(values: Float64Array, n: number): number[] {
  const best: number[] = [];
  for (let d = 0; d < values.length; d++) {
    if (best.length < n || values[d]! > values[best[best.length - 1]!]!) {
      best.push(d);
      best.sort((a, b) => values[b]! - values[a]!);
      if (best.length > n) best.pop();
    }
  }
  return best;
}

/** The first N different strings: a cluster of near-duplicates should not show the same example twice. */
function distinct(items: string[], n: number): string[] {
  return [...new Set(items)].slice(0, n);
}

function snip(text: string, n: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}
