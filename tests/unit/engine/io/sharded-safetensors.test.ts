// The HF-layout checkpoint writer: single file vs shards + index, greedy splitting, the index format, F16/BF16
// rounding, replacing an earlier save, and reading it all back through checkpoint-files.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointFiles } from '../../../../src-main/engine/io/checkpoint-files';
import { decodeFloats, encodeFloats } from '../../../../src-main/engine/io/float-codec';
import { readSafetensorsHeader } from '../../../../src-main/engine/io/safetensors';
import {
  DEFAULT_MAX_SHARD_BYTES, INDEX_FILE, SINGLE_FILE, planShards, readFloatCheckpoint, shardFileName, writeShardedSafetensors, type FloatTensor,
} from '../../../../src-main/engine/io/sharded-safetensors';
import { Prng } from '../../../../src-main/engine/nn/prng';

const work = mkdtempSync(join(tmpdir(), 'sharded-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const rng = new Prng(3);
// Deliberately not in name order: the writer sorts.
const TENSORS: FloatTensor[] = [
  { name: 'model.layers.1.mlp.up_proj.weight', shape: [8, 4], data: rng.normalArray(32, 1) }, // 128 B
  { name: 'lm_head.weight', shape: [10, 4], data: rng.normalArray(40, 1) }, // 160 B
  { name: 'model.embed_tokens.weight', shape: [10, 4], data: rng.normalArray(40, 1) }, // 160 B
  { name: 'model.layers.0.input_layernorm.weight', shape: [4], data: rng.normalArray(4, 1) }, // 16 B
  { name: 'model.layers.0.mlp.up_proj.weight', shape: [8, 4], data: rng.normalArray(32, 1) }, // 128 B
  { name: 'model.norm.weight', shape: [4], data: rng.normalArray(4, 1) }, // 16 B
];
const SORTED = TENSORS.map((t) => t.name).sort();
const fresh = (name: string) => mkdtempSync(join(work, `${name}-`));

function expectSame(dir: string) {
  const back = readFloatCheckpoint(dir);
  expect([...back.keys()].sort()).toEqual(SORTED);
  for (const t of TENSORS) {
    expect(back.get(t.name)?.shape, t.name).toEqual(t.shape);
    expect(back.get(t.name)?.data, t.name).toEqual(t.data);
  }
}

describe('sharded safetensors writer', () => {
  it("keeps HF's 5 GB default and greedy whole-tensor plan (an oversized tensor alone)", () => {
    expect(DEFAULT_MAX_SHARD_BYTES).toBe(5_000_000_000);
    const s = (name: string, bytes: number) => ({ name, bytes });
    expect(planShards([s('a', 4), s('b', 4), s('c', 4), s('d', 12), s('e', 2)], 10)).toEqual([['a', 'b'], ['c'], ['d'], ['e']]);
    expect(planShards([s('a', 5), s('b', 5), s('c', 5)], 10)).toEqual([['a', 'b'], ['c']]);
    expect(() => planShards([s('a', 1)], 0)).toThrow(/maxShardBytes/);
    expect(shardFileName(0, 3)).toBe('model-00001-of-00003.safetensors');
  });

  it('under the limit: one model.safetensors, no index, values exact, format pt', () => {
    const dir = fresh('single');
    const r = writeShardedSafetensors(dir, TENSORS);
    expect(r.files).toEqual([join(dir, SINGLE_FILE)]);
    expect(r.indexFile).toBeNull();
    expect(r.totalSize).toBe(608);
    expect(readdirSync(dir)).toEqual([SINGLE_FILE]);
    const header = readSafetensorsHeader(join(dir, SINGLE_FILE));
    expect(header.metadata).toEqual({ format: 'pt' });
    expect([...header.tensors.keys()]).toEqual(SORTED);
    expect(header.dataStart % 8).toBe(0);
    expectSame(dir);
  });

  it('over a small limit: shards in name order, each ≤ the limit, and an HF index', () => {
    const dir = fresh('shards');
    const r = writeShardedSafetensors(dir, TENSORS, { maxShardBytes: 200 });
    // sorted: lm_head 160 | embed 160, layers.0.input_layernorm 16 | layers.0.up 128 | layers.1.up 128, norm 16
    const names = [1, 2, 3, 4].map((i) => `model-0000${i}-of-00004.safetensors`);
    expect(r.files).toEqual(names.map((n) => join(dir, n)));
    expect(readdirSync(dir).sort()).toEqual([...names, INDEX_FILE].sort());
    const index = JSON.parse(readFileSync(join(dir, INDEX_FILE), 'utf8'));
    expect(Object.keys(index)).toEqual(['metadata', 'weight_map']);
    expect(index.metadata).toEqual({ total_size: 608 });
    expect(index.weight_map).toEqual({
      'lm_head.weight': names[0],
      'model.embed_tokens.weight': names[1],
      'model.layers.0.input_layernorm.weight': names[1],
      'model.layers.0.mlp.up_proj.weight': names[2],
      'model.layers.1.mlp.up_proj.weight': names[3],
      'model.norm.weight': names[3],
    });
    for (const f of r.files) {
      const sizes = [...readSafetensorsHeader(f).tensors.values()].map((t) => t.byteLength);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(200);
    }
    expect(checkpointFiles(dir)).toEqual(r.files);
    expectSame(dir);
  });

  it('BF16 / F16: round to nearest even from float32, read back as the rounded values', () => {
    const ties = Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, 65504, 1e-8, 3.14159);
    for (const dtype of ['BF16', 'F16'] as const) {
      const dir = fresh(dtype);
      writeShardedSafetensors(dir, [{ name: 'w', shape: [6], data: ties }, ...TENSORS], { dtype, maxShardBytes: 100 });
      const back = readFloatCheckpoint(dir);
      expect(back.get('w')?.data).toEqual(decodeFloats(encodeFloats(ties, dtype), dtype));
      for (const t of TENSORS) expect(back.get(t.name)?.data).toEqual(decodeFloats(encodeFloats(t.data, dtype), dtype));
      expect(JSON.parse(readFileSync(join(dir, INDEX_FILE), 'utf8')).metadata.total_size).toBe((608 + 24) / 2);
    }
    expect(decodeFloats(encodeFloats(ties, 'BF16'), 'BF16').slice(0, 2)).toEqual(Float32Array.of(1, 1 + 2 ** -6));
  });

  it('a new save replaces an earlier one in the other layout, leaving no stale shards, index or temp files', () => {
    const dir = fresh('replace');
    writeShardedSafetensors(dir, TENSORS, { maxShardBytes: 100 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).length).toBe(6);
    writeFileSync(join(dir, 'config.json'), '{}');
    writeShardedSafetensors(dir, TENSORS, { maxShardBytes: 200 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).length).toBe(4);
    expectSame(dir);
    writeShardedSafetensors(dir, TENSORS);
    expect(readdirSync(dir).sort()).toEqual(['config.json', SINGLE_FILE]);
    expectSame(dir);
    writeShardedSafetensors(dir, TENSORS, { maxShardBytes: 200 });
    expect(readdirSync(dir).some((f) => f === SINGLE_FILE || f.endsWith('.tmp'))).toBe(false);
    expectSame(dir);
  });

  it('refuses duplicate names and data that does not fit the shape', () => {
    const dir = fresh('bad');
    expect(() => writeShardedSafetensors(dir, [TENSORS[0], TENSORS[0]])).toThrow(/given twice/);
    expect(() => writeShardedSafetensors(dir, [{ name: 'x', shape: [3], data: new Float32Array(2) }])).toThrow(/needs 3/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
