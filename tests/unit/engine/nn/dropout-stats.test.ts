// LoRA dropout masks: a pure function of (seed, counter, module, b, s, k) that a JS BigInt mirror reproduces bit for bit,
// with the statistics of independent Bernoulli draws (keep rate, lag-1 correlations along every axis and between modules,
// micro-batches and seeds) over 2^20 draws per mask.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph } from '../../../../src-main/engine/ir/graph';
import { DROPOUT_SEED_INPUT, DROPOUT_STEP_INPUT, DropoutMasks, HASH, dropThreshold, moduleHashKeys } from '../../../../src-main/engine/nn/dropout';
import { serializeModel } from '../../../../src-main/engine/onnx/serialize';
import { EngineSession } from '../../../../src-main/engine/runtime';

const [B, S, IN] = [4, 256, 1024]; // 2^20 draws per mask
const P = 0.05;
const figures: Record<string, number> = {};

/** The hash in BigInt, written from dropout.ts's formulas (not its code), for a single element. */
function mirror(seed: number, step: number, module: number, b: number, s: number, k: number, p: number): boolean {
  const n = (v: number) => BigInt(v);
  const [A, PR, K, M47, D17, M30, M36] = [n(HASH.A), n(HASH.P), n(HASH.K), n(HASH.M47), n(HASH.D17), n(HASH.M30), n(HASH.M36)];
  const r = (v: bigint) => {
    const w = ((v * A) % PR) + K;
    return ((w * w) % M47) / D17;
  };
  const mix = (v: bigint) => r(r(v));
  const lo = (v: bigint) => ((v % M30) + M30) % M30;
  const hi = (v: bigint) => lo(v / M30);
  let h = mix(lo(n(seed)));
  h = mix(h + hi(n(seed)));
  h = mix(h + lo(n(step)));
  const base = mix(h + hi(n(step)));
  const [cR, cC] = moduleHashKeys(module).map(n);
  const row = mix(mix(base + cR + n(b)) + n(s));
  const v = row + mix(base + cC + n(k)) + K;
  const v1 = ((v * v) % M47) / D17;
  return (v1 * v) % M36 < n(dropThreshold(p));
}

let session: EngineSession;
const MODULES = [0, 1, 57];

beforeAll(async () => {
  const g = new Graph('dropout-masks');
  const x = g.input('x', 'float32', ['B', 'S', IN]);
  const d = new DropoutMasks(g, P);
  for (const m of MODULES) g.output(d.drop(x, m), `drop.${m}`);
  session = await EngineSession.create(serializeModel(g), { intraOpThreads: 2 });
});
afterAll(async () => {
  console.log(`dropout mask statistics (p = ${P}, ${B * S * IN} draws per mask): ${JSON.stringify(figures)}`);
  await session?.release();
});

async function masks(seed: number, step: number, s = S): Promise<Record<number, Uint8Array>> {
  const out = await session.run({
    x: { data: new Float32Array(B * s * IN), dims: [B, s, IN] },
    [DROPOUT_SEED_INPUT]: { data: BigInt64Array.of(BigInt(seed)), dims: [] },
    [DROPOUT_STEP_INPUT]: { data: BigInt64Array.of(BigInt(step)), dims: [] },
  });
  return Object.fromEntries(MODULES.map((m) => [m, out[`drop.${m}`].data as Uint8Array]));
}

/** Pearson correlation of two 0/1 sequences given as index pairs into a and b. */
function corr(a: Uint8Array, b: Uint8Array, pairs: Iterable<[number, number]>): number {
  let n = 0, sa = 0, sb = 0, sab = 0;
  for (const [i, j] of pairs) {
    n++;
    sa += a[i];
    sb += b[j];
    sab += a[i] * b[j];
  }
  const [ma, mb] = [sa / n, sb / n];
  return (sab / n - ma * mb) / Math.sqrt(ma * (1 - ma) * mb * (1 - mb));
}

function* lag(stride: number, within: number): Generator<[number, number]> {
  // Neighbours at distance `stride` that stay inside blocks of `within` elements (same row / same batch item).
  for (let i = 0; i + stride < B * S * IN; i++) if ((i % within) + stride < within) yield [i, i + stride];
}
function* same(): Generator<[number, number]> {
  for (let i = 0; i < B * S * IN; i++) yield [i, i];
}

describe('LoRA dropout mask hash', () => {
  it('is the documented pure function: the graph equals a BigInt mirror at 3,000 positions', async () => {
    const m = await masks(123456789012, 4242);
    let rng = 12345;
    const next = (n: number) => (rng = (rng * 48271) % 2147483647) % n;
    for (let t = 0; t < 3000; t++) {
      const mod = MODULES[t % MODULES.length];
      const [b, s, k] = t < 1024 ? [0, 0, t] : [next(B), next(S), next(IN)];
      expect(m[mod][(b * S + s) * IN + k] === 1, `module ${mod} (${b}, ${s}, ${k})`).toBe(mirror(123456789012, 4242, mod, b, s, k, P));
    }
  }, 60_000);

  it('does not depend on the padded length: a token keeps its mask when the batch is longer', async () => {
    const [short, long] = [await masks(9, 3, 100), await masks(9, 3, S)];
    for (const mod of MODULES) {
      for (let b = 0; b < B; b++) {
        const a = short[mod].subarray(b * 100 * IN, (b + 1) * 100 * IN);
        const c = long[mod].subarray(b * S * IN, (b * S + 100) * IN);
        expect(Buffer.from(a).equals(Buffer.from(c))).toBe(true);
      }
    }
  });

  it('draws independent Bernoulli(p) masks: keep rate and lag-1 correlations', async () => {
    const base = await masks(7, 0);
    const nextStep = await masks(7, 1);
    const nextSeed = await masks(8, 0);
    const n = B * S * IN;
    const sigmaRate = Math.sqrt((P * (1 - P)) / n); // 2.1e-4
    const sigmaCorr = 1 / Math.sqrt(n); // 1e-3
    for (const mod of MODULES) {
      const rate = base[mod].reduce((a, v) => a + v, 0) / n;
      figures[`dropRate.m${mod}`] = rate;
      expect(Math.abs(rate - P), `module ${mod} drop rate ${rate}`).toBeLessThan(5 * sigmaRate);
    }
    const m0 = base[0];
    const checks: Record<string, number> = {
      lagK: corr(m0, m0, lag(1, IN)),
      lagS: corr(m0, m0, lag(IN, S * IN)),
      lagB: corr(m0, m0, lag(S * IN, n)),
      modules0v1: corr(m0, base[1], same()),
      modules1v57: corr(base[1], base[57], same()),
      microBatch0v1: corr(m0, nextStep[0], same()),
      seed7v8: corr(m0, nextSeed[0], same()),
    };
    for (const [name, c] of Object.entries(checks)) {
      figures[name] = c;
      expect(Math.abs(c), `${name} correlation ${c}`).toBeLessThan(5 * sigmaCorr);
    }
  }, 60_000);

  it('hits the requested rate for other p too (p = 0.5 through the same threshold rule)', () => {
    expect(dropThreshold(0.5)).toBe(2 ** 35);
    let dropped = 0;
    for (let k = 0; k < 20000; k++) dropped += mirror(1, 2, 3, 0, k % 50, Math.floor(k / 50), 0.5) ? 1 : 0;
    expect(Math.abs(dropped / 20000 - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 20000));
  });
});
