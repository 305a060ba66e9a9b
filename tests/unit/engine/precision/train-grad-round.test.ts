// GradRound (ops/grad-round.ts): identity forward, and the backward pass rounds the incoming gradient to the format,
// bit-exact with formats.ts (a 1e-8 gradient flushes to 0 in fp16, 3e-5 becomes the nearest fp16 subnormal/normal).

import { describe, expect, it } from 'vitest';
import { addGradients } from '../../../../src-main/engine/autodiff';
import { Graph } from '../../../../src-main/engine/ir';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { BF16, FP16 } from '../../../../src-main/engine/precision/formats';
import { EngineSession } from '../../../../src-main/engine/runtime';

async function gradThrough(format: 'fp16' | 'bf16', xs: Float32Array, ws: Float32Array) {
  const g = new Graph();
  const x = g.input('x', 'float32', [xs.length]);
  const w = g.input('w', 'float32', [xs.length]);
  const y = g.gradRound(x, format);
  g.output(y, 'y');
  const loss = g.reduceSum(g.reshape(g.mul(y, w), [1, xs.length]), [1], false);
  addGradients(g, g.reshape(loss, [1]), [x]);
  const s = await EngineSession.create(serializeModel(g));
  const out = await s.run({ x: { data: xs, dims: [xs.length] }, w: { data: ws, dims: [ws.length] } });
  await s.release();
  return { y: out.y.data as Float32Array, dx: out['grad.x'].data as Float32Array };
}

describe('GradRound', () => {
  const ws = Float32Array.from([1e-8, 3e-5, -3e-5, 1, 0.1, 65519, 65520, 1e-3, -2.5e-7, 0]);
  const xs = Float32Array.from(ws.map((_, i) => 0.1 * i - 0.3));

  it('fp16: forward is the identity, the gradient is rounded (1e-8 → 0, 3e-5 → nearest fp16, 65520 → inf)', async () => {
    const { y, dx } = await gradThrough('fp16', xs, ws);
    expect(Array.from(y)).toEqual(Array.from(xs));
    expect(dx[0]).toBe(0);
    expect(dx[1]).toBe(FP16.round(Math.fround(3e-5)));
    expect(dx[1]).not.toBe(Math.fround(3e-5));
    expect(Math.abs(dx[1] - 3e-5)).toBeLessThanOrEqual(FP16.resolutionAt(3e-5) / 2);
    expect(dx[6]).toBe(Infinity);
    for (let i = 0; i < ws.length; i++) expect(dx[i], `w=${ws[i]}`).toBe(FP16.round(ws[i]));
  });

  it('bf16: the gradient is rounded to 8 significant bits, tiny values survive (bf16 has fp32 range)', async () => {
    const { dx } = await gradThrough('bf16', xs, ws);
    for (let i = 0; i < ws.length; i++) expect(dx[i], `w=${ws[i]}`).toBe(BF16.round(ws[i]));
    expect(dx[0]).not.toBe(0);
  });

  it('values the format represents pass through unchanged', async () => {
    const rep = Float32Array.from([0.5, -0.375, 2 ** -24, 1024, -65504, 0.099975586]);
    const { dx } = await gradThrough('fp16', new Float32Array(rep.length), rep);
    expect(Array.from(dx)).toEqual(Array.from(rep));
  });
});
