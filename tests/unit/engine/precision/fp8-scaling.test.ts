// fp8 delayed scaling (precision/delayed-scaling.ts): Transformer Engine's scale formula and amax-history window; the
// ScaledGradRound op (identity forward, E5M2 fake-quant of the gradient, amax output) bit-exact with formats.ts; and the
// fp8 train graph's scale inputs / amax outputs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addGradients } from '../../../../src-main/engine/autodiff';
import { Graph } from '../../../../src-main/engine/ir';
import { buildEvalGraph, buildTrainGraph } from '../../../../src-main/engine/nn';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { ScaledGradRound } from '../../../../src-main/engine/ops/scaled-grad-round';
import { DelayedScaling, fp8Scale, windowAmax } from '../../../../src-main/engine/precision/delayed-scaling';
import { FP8_E5M2 } from '../../../../src-main/engine/precision/formats';
import { EngineSession } from '../../../../src-main/engine/runtime';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, runBuilt } from '../nn/checkpoint';
import { LORA, adapterFeeds, makeBatch, prepare, randomAdapter } from '../nn/fixtures';

const work = mkdtempSync(join(tmpdir(), 'precision-fp8-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('delayed scaling: the scale formula (TE delayed_scaling.cu)', () => {
  it('scale = fp8_max · 2^-margin / amax in float32, not rounded to a power of two', () => {
    expect(fp8Scale(3, 'fp8e4m3', 0, 1)).toBe(Math.fround(448 / 3));
    expect(fp8Scale(3, 'fp8e5m2', 0, 1)).toBe(Math.fround(57344 / 3));
    expect(fp8Scale(3, 'fp8e4m3', 2, 1)).toBe(Math.fround(112 / 3));
    expect(fp8Scale(0.5, 'fp8e4m3', 0, 1)).toBe(896);
  });
  it('a zero or non-finite amax keeps the previous scale; an infinite quotient becomes FLT_MAX', () => {
    expect(fp8Scale(0, 'fp8e4m3', 0, 7)).toBe(7);
    expect(fp8Scale(Infinity, 'fp8e4m3', 0, 7)).toBe(7);
    expect(fp8Scale(Number.NaN, 'fp8e5m2', 0, 7)).toBe(7);
    expect(fp8Scale(1e-45, 'fp8e5m2', 0, 1)).toBe(3.4028234663852886e38);
  });
  it('the window is the max over the entries, non-finite (null) poisons it', () => {
    expect(windowAmax([])).toBe(0);
    expect(windowAmax([1, 4, 2])).toBe(4);
    expect(windowAmax([1, null, 2])).toBeNaN();
  });
});

describe('DelayedScaling: amax history', () => {
  const x = 'fp8_scale.m.x';
  const dy = 'fp8_scale.m.dy';
  it('step 1 uses scale 1; each later step the max of the last amaxHistoryLen amaxes (E4M3 for x, E5M2 for dy)', () => {
    const ds = new DelayedScaling({ margin: 0, amaxHistoryLen: 3 }, [x, dy]);
    expect(ds.scale(x)).toBe(1);
    const amaxes = [8, 2, 1, 0.5, 0.25];
    const seen: number[] = [];
    for (const a of amaxes) {
      ds.record(new Map([[x, a], [dy, a * 100]]));
      seen.push(a);
      const window = Math.max(...seen.slice(-3));
      expect(ds.scale(x)).toBe(Math.fround(448 / window));
      expect(ds.scale(dy)).toBe(Math.fround(57344 / Math.fround(window * 100)));
    }
    // 8 left the window after three more steps: the scale then follows the smaller amaxes.
    expect(ds.state().amaxHistory[x]).toEqual([1, 0.5, 0.25]);
  });
  it('a tensor without an amax keeps its scale; a non-finite amax keeps the scale while it is in the window', () => {
    const ds = new DelayedScaling({ margin: 0, amaxHistoryLen: 2 }, [x, dy]);
    ds.record(new Map([[x, 4]]));
    expect(ds.scale(dy)).toBe(1);
    expect(ds.scale(x)).toBe(112);
    ds.record(new Map([[x, Infinity]]));
    expect(ds.scale(x)).toBe(112);
    ds.record(new Map([[x, 1]]));
    expect(ds.scale(x)).toBe(112); // [inf, 1]: still non-finite
    ds.record(new Map([[x, 1]]));
    expect(ds.scale(x)).toBe(448);
  });
  it('state() round-trips through JSON (null for non-finite) and resumes the same scales', () => {
    const a = new DelayedScaling({ margin: 1, amaxHistoryLen: 4 }, [x]);
    for (const v of [3, Infinity, 0.7]) a.record(new Map([[x, v]]));
    const b = new DelayedScaling({ margin: 1, amaxHistoryLen: 4 }, [x], JSON.parse(JSON.stringify(a.state())));
    for (const v of [0.1, 0.2, 0.3]) {
      a.record(new Map([[x, v]]));
      b.record(new Map([[x, v]]));
      expect(b.scale(x)).toBe(a.scale(x));
    }
  });
});

describe('ScaledGradRound (ops/scaled-grad-round.ts)', () => {
  it('forward is the identity; the gradient is round_E5M2(dy·s)/s (saturating) bit for bit, its amax an output', async () => {
    const ws = Float32Array.from([1e-8, 3e-5, -3e-5, 1, 0.1, 0.3, -700, 1e-3, -2.5e-7, 0, 5000, 1234.5]);
    const xs = Float32Array.from(ws.map((_, i) => 0.1 * i - 0.3));
    for (const scale of [1, 37.5, Math.fround(57344 / 5000), 2 ** 20]) {
      const g = new Graph();
      const x = g.input('x', 'float32', [xs.length]);
      const w = g.input('w', 'float32', [xs.length]);
      const s = g.input('s', 'float32', []);
      const [y] = g.apply(ScaledGradRound, [x, s], { format: 'fp8e5m2', amax: 'amax_dy' });
      g.output(y, 'y');
      addGradients(g, g.reshape(g.reduceSum(g.reshape(g.mul(y, w), [1, xs.length]), [1], false), [1]), [x]);
      const session = await EngineSession.create(serializeModel(g));
      const out = await session.run({ x: { data: xs, dims: [xs.length] }, w: { data: ws, dims: [ws.length] }, s: { data: Float32Array.of(scale), dims: [] } });
      await session.release();
      expect(Array.from(out.y.data as Float32Array)).toEqual(Array.from(xs));
      const inv = Math.fround(1 / scale);
      const dx = out['grad.x'].data as Float32Array;
      for (let i = 0; i < ws.length; i++) {
        const want = Math.fround(FP8_E5M2.round(Math.fround(ws[i] * scale), 'saturate') * inv);
        expect(dx[i], `w=${ws[i]} s=${scale}`).toBe(want);
      }
      expect((out.amax_dy.data as Float32Array)[0]).toBe(5000);
      if (scale === 2 ** 20) expect(dx[10]).toBe(Math.fround(57344 * inv)); // saturated, not inf
    }
  });
});

describe("the 'fp8' train graph", () => {
  const p = () => prepare(work, TINY_MODELS.find((m) => m.id === 'llama')!);
  it('has scale inputs and amax outputs per decoder projection (dy only where the backward reaches), and runs', async () => {
    const prep = p();
    const built = buildTrainGraph(prep.spec, prep.weights, { lora: LORA, precision: 'fp8' });
    const scales = built.graph.inputs.map((v) => v.name).filter((n) => n.startsWith('fp8_scale.'));
    const amaxes = built.graph.outputs.map((v) => v.name).filter((n) => n.startsWith('fp8_amax.'));
    const projections = prep.spec.numLayers * 7;
    expect(scales.length).toBe(3 * projections);
    expect(amaxes.filter((n) => !n.endsWith('.dy')).length).toBe(2 * projections);
    // Layer 0's q/k/v and gate/up... read x from the embedding, which no trainable tensor precedes: no dY there.
    expect(amaxes.filter((n) => n.endsWith('.dy')).length).toBeGreaterThan(0);
    expect(amaxes).not.toContain('fp8_amax.model.layers.0.self_attn.q_proj.dy');
    expect(scales.some((n) => n.includes('lm_head'))).toBe(false);
    expect(buildEvalGraph(prep.spec, prep.weights, { lora: LORA, precision: 'fp8' }).graph.outputs.some((v) => v.name.endsWith('.dy'))).toBe(false);

    const batch = makeBatch(prep.spec.vocabSize, 5);
    const adapter = randomAdapter(prep.spec, LORA, 9);
    const feeds = { input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels), ...adapterFeeds(prep.spec, LORA, adapter) };
    const run = async (precision: 'bf16' | 'fp8', scale: number) => {
      const b = buildTrainGraph(prep.spec, prep.weights, { lora: LORA, precision });
      const fp8 = Object.fromEntries(scales.map((n) => [n, { data: Float32Array.of(scale), dims: [] }]));
      return runBuilt(b, prep.graphDir, { ...feeds, ...(precision === 'fp8' ? fp8 : {}) }, `${precision}-${scale}.onnx`);
    };
    const bf16 = await run('bf16', 1);
    const fp8 = await run('fp8', 1);
    const lossBf16 = bf16.loss.data[0] as number;
    const lossFp8 = fp8.loss.data[0] as number;
    expect(Number.isFinite(lossFp8)).toBe(true);
    expect(lossFp8).not.toBe(lossBf16);
    expect(Math.abs(lossFp8 - lossBf16) / lossBf16).toBeLessThan(0.05);
    for (const n of amaxes) expect((fp8[n].data as Float32Array)[0], n).toBeGreaterThan(0);
  }, 60_000);
});
