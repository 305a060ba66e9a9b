// External initializers: raw float32 bytes at an offset inside a file beside the .onnx, read by ORT.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, checkLocation } from '../../../src-main/engine/ir';
import { serializeModel } from '../../../src-main/engine/onnx';
import { EngineSession } from '../../../src-main/engine/runtime';

const dir = mkdtempSync(join(tmpdir(), 'engine-external-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('external initializers', () => {
  it('ORT reads weights at an offset inside a safetensors-like file', async () => {
    // 8-byte length + JSON header + payload, like .safetensors; two tensors back to back.
    const header = Buffer.from('{"__metadata__":{}}   ');
    const w1 = Float32Array.from([1.5, -2, 3.25, 4, 5, 6]);
    const w2 = Float32Array.from([10, 20, 30]);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const base = 8 + header.length;
    writeFileSync(join(dir, 'model.safetensors'), Buffer.concat([len, header, Buffer.from(w1.buffer), Buffer.from(w2.buffer)]));

    const g = new Graph();
    const x = g.input('x', 'float32', ['N', 3]);
    const a = g.external('w1', 'float32', [2, 3], { location: 'model.safetensors', offset: base, length: 24 }, { frozen: true });
    const b = g.external('w2', 'float32', [3], { location: 'model.safetensors', offset: base + 24, length: 12 });
    g.output(g.add(g.matmul(x, g.transpose(a, [1, 0])), g.slice(b, { starts: [0], ends: [2] })), 'y');
    const path = join(dir, 'model.onnx');
    writeFileSync(path, serializeModel(g));

    const s = await EngineSession.create(path);
    const out = await s.run({ x: { data: Float32Array.from([1, 0, 0, 0, 1, 1]), dims: [2, 3] } });
    await s.release();
    // row 0 picks column 0 of w1ᵀ: [1.5, 4]; row 1 sums columns 1,2: [-2+3.25, 5+6]; plus w2[:2].
    expect(Array.from(out.y.data as Float32Array)).toEqual([11.5, 24, 11.25, 31]);
    expect(out.y.dims).toEqual([2, 2]);
  });

  it('refuses absolute or escaping locations and wrong lengths', () => {
    expect(() => checkLocation('/abs/model.safetensors')).toThrow(/relative/);
    expect(() => checkLocation('C:\\m.bin')).toThrow(/relative/);
    expect(() => checkLocation('../up.bin')).toThrow(/inside/);
    expect(() => checkLocation('a/../../b.bin')).toThrow(/inside/);
    expect(() => checkLocation('blobs/ok.bin')).not.toThrow();
    const g = new Graph();
    expect(() => g.external('w', 'float32', [2, 2], { location: 'w.bin', offset: 0, length: 12 })).toThrow(/length/);
  });
});
