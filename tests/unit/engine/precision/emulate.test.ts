// In-graph rounding (engine/precision/emulate.ts) run through onnxruntime, bit-exact against formats.ts, plus its gradient:
// onnxruntime's own Cast pair for fp16/bf16 in CPU graphs, the fp32 arithmetic for the rest and for GPU graphs.

import { describe, expect, it } from 'vitest';
import { addGradients } from '../../../../src-main/engine/autodiff';
import { Graph } from '../../../../src-main/engine/ir';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { roundToFormat, emulatedFormat, setFlushSafeRounding, type EmulatedFormatId } from '../../../../src-main/engine/precision/emulate';
import type { OverflowMode } from '../../../../src-main/engine/precision/formats';
import { EngineSession } from '../../../../src-main/engine/runtime';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (v: number): number => ((f32[0] = v), u32[0]);
const fromBits = (b: number): number => ((u32[0] = b >>> 0), f32[0]);

/** fp32 values around every representable of the format: the value, the midpoint to the next one, each ±1 and ±2 ulp. */
function probes(id: EmulatedFormatId): Float32Array {
  const F = emulatedFormat(id);
  const out: number[] = [];
  const near = (v: number): void => {
    const b = bitsOf(v);
    for (let d = -2; d <= 2; d++) if (b + d >= 0 && b + d < 2 ** 32) out.push(fromBits(b + d));
  };
  const count = 2 ** F.bits;
  for (let b = 0; b < count; b++) {
    const v = F.decode(b);
    if (!Number.isFinite(v)) continue;
    near(v);
    const w = F.decode(b + 1 < count ? b + 1 : b);
    if (Number.isFinite(w) && w !== v) near((v + w) / 2);
  }
  // The overflow thresholds (max + half the top ulp), half the smallest subnormal, fp32's extremes and specials.
  const top = F.resolutionAt(F.max);
  for (const v of [F.max + top / 2, F.max + top, F.minSubnormal / 2, F.minNormal, 3.4028234663852886e38, 2 ** -149, 2 ** -126, 2 ** 100, 2 ** 64])
    for (const sgn of [1, -1]) near(sgn * v);
  out.push(Infinity, -Infinity, NaN, 0, -0);
  // Random fp32 bit patterns (a fixed LCG, so failures reproduce).
  let seed = 12345;
  for (let i = 0; i < 100_000; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    out.push(fromBits(seed));
  }
  return Float32Array.from(out);
}

async function roundInGraph(id: EmulatedFormatId, mode: OverflowMode, xs: Float32Array, flushSafe = false): Promise<Float32Array> {
  const g = new Graph();
  if (flushSafe) setFlushSafeRounding(g);
  const x = g.input('x', 'float32', ['N']);
  g.output(roundToFormat(g, x, id, mode), 'y');
  const s = await EngineSession.create(serializeModel(g));
  const out = await s.run({ x: { data: xs, dims: [xs.length] } });
  await s.release();
  return out.y.data as Float32Array;
}

const CASES: [EmulatedFormatId, OverflowMode][] = [
  ['fp16', 'inf'], ['fp16', 'saturate'], ['bf16', 'inf'], ['bf16', 'saturate'],
  ['fp8e4m3', 'saturate'], ['fp8e4m3', 'nan'], ['fp8e5m2', 'inf'], ['fp8e5m2', 'saturate'],
];

describe('roundToFormat in onnxruntime vs formats.ts', () => {
  // flush-safe: the graphs for GPUs that flush fp32 subnormals, whose arithmetic rounds the subnormal branch by addition
  // (its exactness there, outside fp32's own subnormal inputs, was measured on an H200 by scripts/gpu-check/
  // webgpu-check.ts); here it must be exact everywhere, like the underflow branch. fp16 in its default mode rounds by
  // the Cast pair either way, so that case checks the pair twice.
  for (const [[id, mode], flushSafe] of CASES.flatMap((c) => [[c, false], [c, true]] as const)) {
    it(`${id} (${mode} on overflow${flushSafe ? ', flush-safe' : ''}) is bit-exact`, async () => {
      const F = emulatedFormat(id);
      const xs = probes(id);
      const ys = await roundInGraph(id, mode, xs, flushSafe);
      const bad: string[] = [];
      for (let i = 0; i < xs.length; i++) {
        const want = F.round(xs[i], mode);
        const same = Number.isNaN(want) ? Number.isNaN(ys[i]) : bitsOf(want) === bitsOf(ys[i]);
        if (!same && bad.length < 10) bad.push(`${xs[i]} → ${ys[i]}, want ${want}`);
      }
      console.log(`${id}/${mode}${flushSafe ? '/flush-safe' : ''}: ${xs.length} values checked, ${bad.length} mismatches`);
      expect(bad).toEqual([]);
    }, 60_000);
  }

  it('rounds fp16 (and bf16 in CPU graphs) by a Cast pair, and by arithmetic bf16 for a GPU, fp8 and other overflow modes', () => {
    const ops = (id: EmulatedFormatId, mode?: OverflowMode, flushSafe = false) => {
      const g = new Graph();
      if (flushSafe) setFlushSafeRounding(g);
      roundToFormat(g, g.input('x', 'float32', ['N']), id, mode);
      return g.nodes.map((n) => n.op.name).filter((n) => n !== 'Constant');
    };
    expect(ops('fp16')).toEqual(['CastRound', 'StraightThrough']);
    expect(ops('bf16')).toEqual(['CastRound', 'StraightThrough']);
    expect(ops('fp16', undefined, true)).toEqual(['CastRound', 'StraightThrough']); // WebGPU's fp16 Cast is exact too
    expect(ops('bf16', undefined, true)).not.toContain('CastRound');
    expect(ops('fp16', 'saturate')).not.toContain('CastRound');
    expect(ops('fp8e4m3')).not.toContain('CastRound');
  });

  it('rejects an overflow mode the format lacks, and non-float32 inputs', () => {
    const g = new Graph();
    expect(() => roundToFormat(g, g.input('x', 'float32', [2]), 'fp16', 'nan')).toThrow(/no 'nan'/);
    expect(() => roundToFormat(g, g.input('d', 'float64', [2]), 'bf16')).toThrow(/float32/);
  });
});

describe('roundToFormat gradient', () => {
  it('is straight-through: d/dx sum(w · round(x)) = w exactly, also where x underflows, saturates or is -0', async () => {
    const xs = Float32Array.from([1.0009765625, -3e-8, 1e-30, -0, 65519, 70000, 500, 1e-3, -2.5]);
    const ws = Float32Array.from([0.5, -2, 3, 7, 0.25, 1.5, -1, 1e-20, 4]);
    for (const [id, mode] of [['fp16', 'inf'], ['bf16', 'inf'], ['fp8e4m3', 'saturate'], ['fp8e5m2', 'inf']] as const) {
      const g = new Graph();
      const x = g.input('x', 'float32', [xs.length]);
      const w = g.input('w', 'float32', [xs.length]);
      const loss = g.reduceSum(g.reshape(g.mul(roundToFormat(g, x, id, mode), w), [1, xs.length]), [1], false);
      addGradients(g, g.reshape(loss, [1]), [x]);
      const s = await EngineSession.create(serializeModel(g));
      const out = await s.run({ x: { data: xs, dims: [xs.length] }, w: { data: ws, dims: [ws.length] } });
      await s.release();
      expect(Array.from(out['grad.x'].data as Float32Array), id).toEqual(Array.from(ws));
    }
  });
});
