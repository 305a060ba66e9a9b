// LSH banding: the chosen (b, r) minimises the weighted false-positive + false-negative areas among its neighbours.
import { describe, expect, it } from 'vitest';
import { falseNegativeArea, falsePositiveArea, optimalLshParams } from '../../../../src-main/data/dedup/lsh-params';

const cost = (t: number, b: number, r: number) => 0.5 * falsePositiveArea(t, b, r) + 0.5 * falseNegativeArea(t, b, r);

describe('optimalLshParams', () => {
  it('integrates the S-curve correctly (b = r = 1 is P(s) = s)', () => {
    expect(falsePositiveArea(0.7, 1, 1)).toBeCloseTo(0.245, 6); // t²/2
    expect(falseNegativeArea(0.7, 1, 1)).toBeCloseTo(0.045, 6); // (1 − t)²/2
  });

  it('picks 25 bands × 10 rows for Jaccard 0.7 with 256 permutations, better than every neighbour', () => {
    const p = optimalLshParams(0.7, 256);
    expect([p.bands, p.rows]).toEqual([25, 10]);
    expect(p.bands * p.rows).toBeLessThanOrEqual(256);
    // The S-curve's steep part sits near the threshold: (1/b)^(1/r) ≈ 0.72.
    expect((1 / p.bands) ** (1 / p.rows)).toBeGreaterThan(0.65);
    expect((1 / p.bands) ** (1 / p.rows)).toBeLessThan(0.75);
    const best = cost(0.7, p.bands, p.rows);
    for (const [db, dr] of [[1, 0], [-1, 0], [0, 1], [0, -1], [1, -1], [-1, 1], [2, 0], [-2, 0]]) {
      const [b, r] = [p.bands + db, p.rows + dr];
      if (b * r <= 256) expect(cost(0.7, b, r)).toBeGreaterThan(best);
    }
  });

  it('uses more rows for higher thresholds and respects the weights', () => {
    expect(optimalLshParams(0.9, 256).rows).toBeGreaterThan(optimalLshParams(0.5, 256).rows);
    const missAverse = optimalLshParams(0.7, 256, 0.1, 0.9);
    expect(missAverse.falseNegative).toBeLessThan(optimalLshParams(0.7, 256).falseNegative);
    expect(optimalLshParams(0.7, 64).bands * optimalLshParams(0.7, 64).rows).toBeLessThanOrEqual(64);
  });
});
