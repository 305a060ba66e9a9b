// Malformed safetensors files are refused before any weight is used, with the file and the tensor named: every layout
// the review found accepted (negative, overlapping offsets) and the rest of the format's rules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsHeader, writeSafetensors } from '../../../src-main/engine/io/safetensors';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file with this header (as given, no checks) followed by `dataBytes` bytes. */
function rawFile(name: string, header: unknown, dataBytes: number): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const file = join(dir, `${name}.safetensors`);
  writeFileSync(file, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
  return file;
}

const t = (offsets: unknown, shape: unknown = [2], dtype = 'F32') => ({ dtype, shape, data_offsets: offsets });

const MALFORMED: [string, unknown, number, RegExp][] = [
  ['negative offset', { a: t([-8, 0]) }, 8, /tensor a has malformed data_offsets \[-8,0\]/],
  ['begin after end', { a: t([8, 0], [0]) }, 8, /tensor a has malformed data_offsets \[8,0\]/],
  ['fractional offset', { a: t([0.5, 8.5]) }, 9, /tensor a has malformed data_offsets/],
  ['overlapping tensors', { a: t([0, 8]), b: t([4, 12]) }, 12, /tensor b overlaps tensor a/],
  ['aliased tensors', { a: t([0, 8]), b: t([0, 8]) }, 8, /overlaps tensor a/],
  ['a hole', { a: t([0, 8]), b: t([12, 20]) }, 20, /4 bytes before tensor b belong to no tensor/],
  ['a hole at the start', { a: t([4, 12]) }, 12, /4 bytes before tensor a belong to no tensor/],
  ['trailing bytes', { a: t([0, 8]) }, 16, /8 bytes after the last tensor belong to no tensor/],
  ['past the end', { a: t([0, 8]) }, 4, /tensor a runs past the end of the file/],
  ['byte count vs shape', { a: t([0, 12]) }, 12, /tensor a spans 12 bytes but F32\[2\] needs 8/],
  ['negative dimension', { a: t([0, 8], [-2]) }, 8, /tensor a has a malformed shape \[-2\]/],
  ['unknown dtype', { a: t([0, 8], [2], 'F33') }, 8, /tensor a has unsupported dtype "F33"/],
  ['metadata not strings', { __metadata__: { n: 1 }, a: t([0, 8]) }, 8, /__metadata__ must map names to strings/],
  ['header an array', [t([0, 8])], 8, /header must be a JSON object/],
];

describe('safetensors validation', () => {
  it.each(MALFORMED)('refuses %s, naming the file', (name, header, bytes, message) => {
    const file = rawFile(name.replace(/\W+/g, '-'), header, bytes);
    expect(() => readSafetensorsHeader(file)).toThrow(message);
    expect(() => readSafetensorsHeader(file)).toThrow(file);
  });

  it('accepts what writeSafetensors writes, zero-size tensors and metadata included', () => {
    const file = join(dir, 'good.safetensors');
    writeSafetensors(file, [
      { name: 'w', dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      { name: 'empty', dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
      { name: 'h', dtype: 'F16', shape: [3], data: new Uint16Array(3) },
    ], { format: 'pt' });
    const header = readSafetensorsHeader(file);
    expect([...header.tensors.keys()].sort()).toEqual(['empty', 'h', 'w']);
    expect(header.metadata).toEqual({ format: 'pt' });
  });
});
