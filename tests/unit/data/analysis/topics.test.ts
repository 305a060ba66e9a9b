// TF-IDF + spherical k-means: unit rows, seeded determinism, and two clearly different topics kept apart.
import { describe, expect, it } from 'vitest';
import { kmeans } from '../../../../src-main/data/analysis/kmeans';
import { tfidf, tokenize } from '../../../../src-main/data/analysis/tfidf';
import { topicClusters } from '../../../../src-main/data/analysis/topics';

// Two topics as real data has them: each text shares some, not all, of its topic's words, and none of the other's.
const COOKING = ['a pasta recipe with garlic for the kitchen', 'a bread recipe with flour and butter for the oven', 'a chicken recipe with garlic and butter for the oven', 'a soup recipe with tomato and basil for the kitchen', 'a cake recipe with flour and chocolate for the oven'];
const SPACE = ['a rocket in space reaches orbit around Mars', 'a telescope in space sees a distant galaxy', 'astronauts in space orbit the planet', 'a black hole in space bends light from a galaxy', 'a rover studies the planet Mars from orbit'];
const texts = Array.from({ length: 40 }, (_, i) => `${(i % 2 ? COOKING : SPACE)[Math.floor(i / 2) % 5]!}, note ${i}`);

describe('tfidf', () => {
  it('drops stopwords and numbers, splits unspaced CJK into bigrams', () => {
    expect(tokenize("Please write the recipe's steps 42 times")).toEqual(['recipe', 'steps', 'times']);
    expect(tokenize('机器学习')).toEqual(['机器', '器学', '学习']);
  });

  it('gives L2-normalised rows over terms in 2+ but at most half of the texts', () => {
    const m = tfidf(texts);
    expect(m.vocabulary).toContain('recipe');
    expect(m.vocabulary).not.toContain('note'); // in every text
    for (const row of m.rows) expect(Math.hypot(...row.weights)).toBeCloseTo(1, 12);
  });
});

describe('kmeans', () => {
  it('separates two clearly different topic groups, the same way for the same seed', () => {
    const m = tfidf(texts);
    const a = kmeans(m.rows, m.vocabulary.length, 2, { seed: 7 });
    const cooking = new Set(texts.map((_, i) => a.assignment[i]).filter((_, i) => i % 2 === 1));
    const space = new Set(texts.map((_, i) => a.assignment[i]).filter((_, i) => i % 2 === 0));
    expect(cooking.size).toBe(1);
    expect(space.size).toBe(1);
    expect([...cooking][0]).not.toBe([...space][0]);
    expect(kmeans(m.rows, m.vocabulary.length, 2, { seed: 7 }).assignment).toEqual(a.assignment);
  });
});

describe('topicClusters', () => {
  it('reports each cluster with its size, top terms and nearest examples, largest first', () => {
    const clusters = topicClusters([...texts, ...SPACE.map((t) => `${t} again`)], { k: 2, seed: 1 });
    expect(clusters.map((c) => c.size)).toEqual([25, 20]);
    expect(clusters[0]!.terms).toEqual(expect.arrayContaining(['space', 'orbit']));
    expect(clusters[0]!.terms.length).toBe(6);
    expect(clusters[1]!.terms).toEqual(expect.arrayContaining(['recipe', 'garlic']));
    for (const c of clusters) expect(c.examples).toHaveLength(2);
    expect(clusters[1]!.examples.every((e) => COOKING.some((t) => e.startsWith(t)))).toBe(true);
  });

  it('returns no clusters when no term recurs', () => {
    expect(topicClusters(['alpha', 'beta', 'gamma'])).toEqual([]);
  });
});
