// The session wrapper: feeds of each array type, output selection, options, errors; session creation at scale.

import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { addGradients } from '../../../../src-main/engine/autodiff';
import { Graph, tensor } from '../../../../src-main/engine/ir';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { EngineSession, ortSessionOptions, ortVersion } from '../../../../src-main/engine/runtime';

function mixedModel(): Uint8Array {
  const g = new Graph();
  const x = g.input('x', 'float32', ['N', 2]);
  const d = g.input('d', 'float64', [2]);
  const ids = g.input('ids', 'int64', ['N']);
  const table = g.initializer('table', tensor('float32', [3, 2], [0, 1, 2, 3, 4, 5]));
  g.output(g.add(x, g.gather(table, ids)), 'sum');
  g.output(g.mul(d, d), 'sq');
  g.output(g.shape(x), 'xshape');
  return serializeModel(g);
}

describe('EngineSession', () => {
  it('runs with Float32Array, Float64Array and BigInt64Array feeds by name', async () => {
    const s = await EngineSession.create(mixedModel());
    expect([...s.inputNames].sort()).toEqual(['d', 'ids', 'x']);
    const out = await s.run({
      x: { data: Float32Array.from([1, 1, 1, 1]), dims: [2, 2] },
      d: { data: Float64Array.from([0.5, 3]), dims: [2] },
      ids: { data: BigInt64Array.from([2n, 0n]), dims: [2] },
    });
    await s.release();
    expect(out.sum.dtype).toBe('float32');
    expect(Array.from(out.sum.data as Float32Array)).toEqual([5, 6, 1, 2]);
    expect(out.sq.dtype).toBe('float64');
    expect(Array.from(out.sq.data as Float64Array)).toEqual([0.25, 9]);
    expect(out.xshape.dtype).toBe('int64');
    expect(Array.from(out.xshape.data as BigInt64Array)).toEqual([2n, 2n]);
  });

  it('fetches only the requested outputs', async () => {
    const s = await EngineSession.create(mixedModel(), { intraOpThreads: 1 });
    const out = await s.run(
      { x: { data: new Float32Array(2), dims: [1, 2] }, d: { data: Float64Array.from([2, 2]), dims: [2] }, ids: { data: BigInt64Array.from([1n]), dims: [1] } },
      ['sq'],
    );
    await s.release();
    expect(Object.keys(out)).toEqual(['sq']);
  });

  it('rejects feeds whose dims do not match their data', async () => {
    const s = await EngineSession.create(mixedModel());
    await expect(s.run({ x: { data: new Float32Array(3), dims: [2, 2] } })).rejects.toThrow(/dims/);
    await s.release();
  });

  it('maps options to ORT: 2 intra-op threads and CPU by default', () => {
    const o = ortSessionOptions({});
    expect(o.intraOpNumThreads).toBe(2);
    expect(o.executionProviders).toEqual(['cpu']);
    expect(ortSessionOptions({ intraOpThreads: 4, providers: ['cuda', 'cpu'] })).toMatchObject({ intraOpNumThreads: 4, executionProviders: ['cuda', 'cpu'] });
  });

  it('reports the onnxruntime version', () => {
    expect(ortVersion()).toBe(ort.env.versions.node);
    expect(ortVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('creates a session for a ~5000-node training graph quickly', async () => {
    // A deep MLP (tanh layers, H=64) with its backward pass: ~5k nodes.
    const g = new Graph('deep');
    const H = 64;
    let h = g.input('x', 'float32', ['B', H]);
    const params = [];
    for (let i = 0; g.nodes.length < 1100; i++) {
      const w = g.initializer(`w${i}`, tensor('float32', [H, H], new Array(H * H).fill(0.01)));
      const b = g.initializer(`b${i}`, tensor('float32', [H], new Array(H).fill(0)));
      params.push(w, b);
      h = g.tanh(g.add(g.matmul(h, w), b));
    }
    const loss = g.output(g.reduceMean(g.mul(h, h), [0, 1]), 'loss');
    addGradients(g, loss, params);
    const t0 = performance.now();
    const bytes = serializeModel(g);
    const t1 = performance.now();
    const s = await EngineSession.create(bytes);
    const t2 = performance.now();
    const out = await s.run({ x: { data: new Float32Array(4 * H).fill(0.5), dims: [4, H] } }, ['loss', 'grad.w0']);
    const t3 = performance.now();
    await s.release();
    console.log(`[engine] ${g.nodes.length} IR nodes, ${params.length} params: serialize ${(t1 - t0).toFixed(0)} ms, session ${(t2 - t1).toFixed(0)} ms, first run ${(t3 - t2).toFixed(0)} ms`);
    expect(g.nodes.length).toBeGreaterThan(4500);
    expect(Number.isFinite(out.loss.data[0] as number)).toBe(true);
    expect(t2 - t1).toBeLessThan(15_000);
  });
});
