// The formats against independent references: torch (fp16/bf16: every pattern decoded, RNE of ~460k fp32 values)
// and the OCP FP8 spec's formula written separately in python (all 256 patterns of E4M3FN and E5M2).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BF16, FP16, FP8_E4M3, FP8_E5M2, type FloatFormat } from '../../../src-main/common/precision/formats';
import { mulberry32 } from '../../../src-main/common/precision/sample';
import { PYTHON, pythonHas } from '../../reference/python-modules';

const SCRIPT = join(__dirname, 'formats_reference.py');

function runPython(mode: 'fp8' | 'torch', input?: Buffer): Buffer {
  const run = spawnSync(PYTHON, [SCRIPT, mode], { input, maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`${SCRIPT} ${mode} failed: ${run.stderr}`);
  return run.stdout;
}

/** Both NaN, or the same value including the sign of zero. */
function same(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b);
}

/** fp32 values (as bit patterns) that probe fp16 and bf16 rounding: every midpoint and its fp32 neighbours, random values. */
function probeInputs(): Uint32Array {
  const f32 = new DataView(new ArrayBuffer(4));
  const bitsOf = (x: number) => { f32.setFloat32(0, x); return f32.getUint32(0); };
  const out: number[] = [];
  for (const f of [FP16, BF16]) {
    for (let b = 0; b < f.maxBits + 1; b++) {
      const mid = (f.decode(b) + f.decode(b + 1)) / 2; // fits fp32: it needs at most 12 significant bits
      const m = bitsOf(mid);
      out.push(m, m - 1, m + 1, m + 0x80000000);
    }
  }
  const random = mulberry32(11);
  for (let i = 0; i < 100_000; i++) out.push(Math.floor(random() * 2 ** 32)); // every exponent, NaNs and infinities included
  for (let i = 0; i < 100_000; i++) { // the range where fp16 lives and dies: 2^-30 .. 2^17
    const exponent = 127 - 30 + Math.floor(random() * 48);
    out.push((random() < 0.5 ? 0x80000000 : 0) + exponent * 2 ** 23 + Math.floor(random() * 2 ** 23));
  }
  for (const x of [0, -0, Infinity, -Infinity, NaN, 65504, 65519, 65520, 65536, 1e-8, 6e-8, 2 ** -24, 2 ** -25, 3.14159, 1 / 3, 3.4e38]) out.push(bitsOf(x));
  return Uint32Array.from(out);
}

describe.skipIf(!pythonHas('torch'))('fp16 and bf16 against torch', () => {
  // One python call for everything (importing torch costs seconds); the buffers are in host byte order on both sides.
  let inputs: Uint32Array;
  let decodeF16: Float32Array, decodeBF16: Float32Array, convF16: Uint16Array, convBF16: Uint16Array;
  beforeAll(() => {
    inputs = probeInputs();
    const n = inputs.length;
    const out = runPython('torch', Buffer.from(inputs.buffer));
    const at = (offset: number, bytes: number) => out.buffer.slice(out.byteOffset + offset, out.byteOffset + offset + bytes);
    expect(out.length).toBe(2 * 65536 * 4 + 2 * n * 2);
    decodeF16 = new Float32Array(at(0, 65536 * 4));
    decodeBF16 = new Float32Array(at(65536 * 4, 65536 * 4));
    convF16 = new Uint16Array(at(2 * 65536 * 4, n * 2));
    convBF16 = new Uint16Array(at(2 * 65536 * 4 + n * 2, n * 2));
  });

  it.each([['fp16', FP16], ['bf16', BF16]] as const)('%s: all 65,536 patterns decode as torch does', (name, f) => {
    const ref = name === 'fp16' ? decodeF16 : decodeBF16;
    const bad: number[] = [];
    for (let b = 0; b < 65536; b++) if (!same(f.decode(b), ref[b])) bad.push(b);
    expect(bad).toEqual([]);
  });

  it.each([['fp16', FP16], ['bf16', BF16]] as const)('%s: RNE of every probe value equals torch .to(dtype)', (name, f) => {
    const ref = name === 'fp16' ? convF16 : convBF16;
    const n = inputs.length;
    expect(n).toBeGreaterThan(450_000);
    const view = new DataView(new ArrayBuffer(4));
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      view.setUint32(0, inputs[i]);
      const x = view.getFloat32(0);
      const ours = f.encode(x);
      // NaN inputs: torch may keep the sign or payload; both sides must still be NaN.
      const ok = Number.isNaN(x) ? f.classify(ref[i]) === 'nan' && f.classify(ours) === 'nan' : ours === ref[i];
      if (!ok && bad.length < 10) bad.push(`${x} → ours 0x${ours.toString(16)}, torch 0x${ref[i].toString(16)}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('fp8 against the OCP spec formula (python, all 256 patterns each)', () => {
  let tables: Float64Array;
  beforeAll(() => {
    const out = runPython('fp8');
    tables = new Float64Array(out.buffer.slice(out.byteOffset, out.byteOffset + 2 * 256 * 8));
  });
  it.each([['E4M3FN', FP8_E4M3, 0], ['E5M2', FP8_E5M2, 256]] as [string, FloatFormat, number][])('%s', (_, f, offset) => {
    const bad: number[] = [];
    for (let b = 0; b < 256; b++) if (!same(f.decode(b), tables[offset + b])) bad.push(b);
    expect(bad).toEqual([]);
  });

  it('and hand-computed values', () => {
    expect([FP8_E4M3.decode(0x7e), FP8_E4M3.decode(0x01), FP8_E4M3.decode(0x08), FP8_E4M3.decode(0xb8)]).toEqual([448, 2 ** -9, 2 ** -6, -1]);
    expect([FP8_E5M2.decode(0x7b), FP8_E5M2.decode(0x01), FP8_E5M2.decode(0x04), FP8_E5M2.decode(0x3c)]).toEqual([57344, 2 ** -16, 2 ** -14, 1]);
  });
});
