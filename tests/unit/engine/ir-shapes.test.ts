// Shape rules on symbolic dims, refusals of malformed graphs, and float16 tensors.

import { describe, expect, it } from 'vitest';
import { Graph, broadcastShapes, dimAdd, dimQuotient, tensor, toFloat16Bits } from '../../../src-main/engine/ir';
import { serializeModel } from '../../../src-main/engine/onnx';
import { EngineSession } from '../../../src-main/engine/runtime';
import { evalDim } from './fd-check';

describe('symbolic shapes', () => {
  it('broadcasts numbers and symbols, refusing conflicts', () => {
    expect(broadcastShapes(['B', 1, 4], [3, 1])).toEqual(['B', 3, 4]);
    expect(broadcastShapes(['B', 'S'], ['S'])).toEqual(['B', 'S']);
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(/broadcast/);
    expect(() => broadcastShapes(['N'], ['K'])).toThrow(/symbols/);
  });

  it('does dim arithmetic for Slice/Pad/Reshape', () => {
    expect(dimAdd('S', -1)).toBe('S-1');
    expect(dimAdd('S-1', 1)).toBe('S');
    expect(dimQuotient(['B', 'S', 512], [512])).toBe('B*S');
    expect(dimQuotient(['B*S', 8, 64], ['B', 'S', 8])).toBe(64);
    expect(() => dimQuotient(['B', 4], ['S'])).toThrow(/-1/);
    expect(evalDim('B*S-1', new Map([['B', 2], ['S', 5]]))).toBe(9);
  });

  it('infers the shapes model code relies on', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['B', 'S', 64]);
    expect(g.reshape(x, [0, 0, 8, 8]).shape).toEqual(['B', 'S', 8, 8]);
    expect(g.reshape(x, [-1, 64]).shape).toEqual(['B*S', 64]);
    expect(g.slice(x, { starts: [0], ends: [-1], axes: [1] }).shape).toEqual(['B', 'S-1', 64]);
    expect(g.slice(x, { starts: [0, 32], ends: [2 ** 31 - 1, 64], axes: [1, 2] }).shape).toEqual(['B', 'S', 32]);
    expect(g.concat([g.input('p', 'float32', ['B', 4, 64]), x], 1).shape).toEqual(['B', 'S+4', 64]);
    expect(g.matmul(x, g.input('w', 'float32', [64, 10])).shape).toEqual(['B', 'S', 10]);
    expect(g.reduceMean(x, [-1], true).shape).toEqual(['B', 'S', 1]);
    expect(g.gather(g.input('emb', 'float32', [100, 64]), g.input('ids', 'int64', ['B', 'S'])).shape).toEqual(['B', 'S', 64]);
    expect(g.transpose(x, [0, 2, 1]).shape).toEqual(['B', 64, 'S']);
  });

  it('refuses malformed ops at build time', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [2, 3]);
    expect(() => g.matmul(a, g.input('b', 'float32', [4, 5]))).toThrow(/K mismatch/);
    expect(() => g.add(a, g.input('c', 'float64', [2, 3]))).toThrow(/dtype/);
    expect(() => g.squeeze(a, [0])).toThrow(/not 1/);
    expect(() => g.transpose(a, [0, 0])).toThrow(/perm/);
    expect(() => g.input('a', 'float32', [1])).toThrow(/duplicate/);
    expect(() => g.exp(g.input('i', 'int64', [2]))).toThrow(/float/);
  });
});

describe('float16', () => {
  it('round-to-nearest-even bits', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
  });

  it('float16 initializers survive serialization and ORT', async () => {
    const g = new Graph();
    const w = g.initializer('w', tensor('float16', [3], [0.5, -1.25, 1024]));
    const x = g.input('x', 'float16', [3]);
    g.output(g.cast(g.add(w, x), 'float32'), 'y');
    const s = await EngineSession.create(serializeModel(g));
    const out = await s.run({ x: { data: Uint16Array.from([1, 1, 1].map(toFloat16Bits)), dims: [3] } });
    await s.release();
    expect(Array.from(out.y.data as Float32Array)).toEqual([1.5, -0.25, 1025]);
  });
});
