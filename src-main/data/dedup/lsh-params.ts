// Choosing the LSH banding (b bands × r rows) for a Jaccard threshold, by minimising the weighted areas of false
// positives and false negatives under the S-curve P(s) = 1 − (1 − s^r)^b (the optimisation datasketch describes).

export interface LshParams {
  bands: number;
  rows: number;
  /** ∫₀ᵗ P(s) ds: how much of the below-threshold range still becomes a candidate (costs verification time). */
  falsePositive: number;
  /** ∫ₜ¹ (1 − P(s)) ds: how much of the above-threshold range is never compared (lost duplicates). */
  falseNegative: number;
}

const candidateProbability = (s: number, b: number, r: number) => 1 - (1 - s ** r) ** b;

/** Simpson's rule with STEPS (even) intervals; the integrands are smooth polynomials, so 200 is plenty. */
function integrate(f: (s: number) => number, lo: number, hi: number, steps = 200): number {
  const h = (hi - lo) / steps;
  let sum = f(lo) + f(hi);
  for (let k = 1; k < steps; k++) sum += (k % 2 ? 4 : 2) * f(lo + k * h);
  return (sum * h) / 3;
}

export function falsePositiveArea(threshold: number, bands: number, rows: number): number {
  return integrate((s) => candidateProbability(s, bands, rows), 0, threshold);
}

export function falseNegativeArea(threshold: number, bands: number, rows: number): number {
  return integrate((s) => 1 - candidateProbability(s, bands, rows), threshold, 1);
}

const cache = new Map<string, LshParams>();

/** The b, r with b·r ≤ NUM_PERM minimising fpWeight·FP + fnWeight·FN (cached: ~1,500 pairs to integrate). */
export function optimalLshParams(threshold: number, numPerm: number, fpWeight = 0.5, fnWeight = 0.5): LshParams {
  const key = `${threshold}/${numPerm}/${fpWeight}/${fnWeight}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let best: LshParams | null = null;
  let bestCost = Infinity;
  for (let bands = 1; bands <= numPerm; bands++) {
    for (let rows = 1; rows * bands <= numPerm; rows++) {
      const falsePositive = falsePositiveArea(threshold, bands, rows);
      const falseNegative = falseNegativeArea(threshold, bands, rows);
      const cost = fpWeight * falsePositive + fnWeight * falseNegative;
      if (cost < bestCost) {
        bestCost = cost;
        best = { bands, rows, falsePositive, falseNegative };
      }
    }
  }
  cache.set(key, best!);
  return best!;
}
