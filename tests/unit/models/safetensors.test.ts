// safetensors: our writer's files read back by our reader and by a hand parser in Python, and bad files named.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsHeader, readTensorF32, writeSafetensors } from '../../../src-main/models/safetensors';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('safetensors', () => {
  it('round-trips tensors and reports absolute offsets', () => {
    const file = join(dir, 'a.safetensors');
    const w = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1);
    const b = new Uint16Array([1, 2, 3]);
    writeSafetensors(file, [
      { name: 'w', dtype: 'F32', shape: [2, 3], data: w },
      { name: 'b', dtype: 'BF16', shape: [3], data: b },
    ], { format: 'pt' });
    const header = readSafetensorsHeader(file);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect((header.dataStart - 8) % 8).toBe(0);
    const loc = header.tensors.get('w')!;
    expect(loc).toMatchObject({ dtype: 'F32', shape: [2, 3], offset: header.dataStart, byteLength: 24 });
    expect(Array.from(readTensorF32(loc))).toEqual(Array.from(w));
    expect(header.tensors.get('b')).toMatchObject({ dtype: 'BF16', offset: header.dataStart + 24, byteLength: 6 });
  });

  it('is readable by an independent parser (Python, the format spec by hand)', () => {
    const file = join(dir, 'py.safetensors');
    writeSafetensors(file, [{ name: 'x', dtype: 'F32', shape: [2], data: new Float32Array([1.5, -2]) }]);
    const script = `import json,struct,sys
d=open(sys.argv[1],'rb').read(); n=struct.unpack('<Q',d[:8])[0]; h=json.loads(d[8:8+n]); a,b=h['x']['data_offsets']
print(json.dumps(list(struct.unpack('<2f', d[8+n+a:8+n+b]))))`;
    expect(JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }))).toEqual([1.5, -2]);
  });

  it('names the file and the problem for bad input', () => {
    const short = join(dir, 'short.safetensors');
    writeFileSync(short, Buffer.from([1, 2, 3]));
    expect(() => readSafetensorsHeader(short)).toThrow(/short\.safetensors: not a safetensors file/);
    const huge = join(dir, 'huge.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(1000n);
    writeFileSync(huge, Buffer.concat([len, Buffer.from('{}')]));
    expect(() => readSafetensorsHeader(huge)).toThrow(/header length 1000 does not fit/);
    const bad = join(dir, 'dtype.safetensors');
    const json = Buffer.from(JSON.stringify({ t: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }));
    len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(bad, Buffer.concat([len, json, Buffer.alloc(1)]));
    expect(() => readSafetensorsHeader(bad)).toThrow(/tensor t has unsupported dtype "F8_E4M3"/);
    const mismatch = join(dir, 'mismatch.safetensors');
    const json2 = Buffer.from(JSON.stringify({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 8] } }));
    len.writeBigUInt64LE(BigInt(json2.length));
    writeFileSync(mismatch, Buffer.concat([len, json2, Buffer.alloc(8)]));
    expect(() => readSafetensorsHeader(mismatch)).toThrow(/spans 8 bytes but F32\[4\] needs 16/);
  });
});
