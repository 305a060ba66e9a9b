// Full-model weights as a Hugging Face checkpoint: model.safetensors, or model-0000i-of-0000N.safetensors shards with
// model.safetensors.index.json; and the reader that loads such a folder back as float32.
//
// Sharding follows huggingface_hub's split_state_dict_into_shards_factory (src/huggingface_hub/serialization/_base.py,
// used by transformers' save_pretrained): tensors are kept whole, a shard is closed when the next tensor would take
// it over the limit, a tensor larger than the limit gets a shard of its own, the limit and total_size count tensor
// bytes only (headers not included). The default limit is transformers' save_pretrained default max_shard_size "5GB"
// (src/transformers/modeling_utils.py, checked at commit 040ba146), which huggingface_hub reads as 5·10⁹ bytes
// (MAX_SHARD_SIZE = 5_000_000_000 in _base.py). We go in name order (HF goes in state-dict order, and puts an oversized
// tensor's shard before the one it interrupts; ours stays in name order across files).
// Files are streamed tensor by tensor (a whole shard can exceed Node's largest Buffer) to a temporary name and renamed,
// so a crash never leaves a torn file under a final name.

import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointTensors } from './checkpoint-files';
import { decodeFloats, encodeFloats, type FloatDtype } from './float-codec';
import { DTYPE_BYTES, readTensorBytes } from './safetensors';

export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;
export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
const SHARD_RE = /^model-\d{5}-of-\d{5}\.safetensors$/;

export const shardFileName = (i: number, n: number): string => `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;

/** A float32 tensor to store (converted to the file's dtype on the way out). */
export interface FloatTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface ShardedWriteOptions {
  /** Most tensor bytes per shard (default 5·10⁹, HF's "5GB"). */
  readonly maxShardBytes?: number;
  /** Stored dtype; F16/BF16 round to nearest even from the float32 values (default F32). */
  readonly dtype?: FloatDtype;
  /** String metadata of every file's header (HF writes {"format": "pt"}, the default). */
  readonly metadata?: Record<string, string>;
}

export interface ShardedWriteResult {
  /** The weight files written, in order (absolute paths). */
  readonly files: string[];
  /** Tensor bytes over all files (the index's metadata.total_size). */
  readonly totalSize: number;
  /** The index file, or null for a single model.safetensors. */
  readonly indexFile: string | null;
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Tensor names per shard for tensors of the given byte sizes (in the given order). */
export function planShards(sizes: readonly { name: string; bytes: number }[], maxShardBytes: number): string[][] {
  if (!(maxShardBytes > 0)) throw new Error(`maxShardBytes must be > 0, got ${maxShardBytes}`);
  const shards: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const t of sizes) {
    if (current.length && used + t.bytes > maxShardBytes) {
      shards.push(current);
      current = [];
      used = 0;
    }
    current.push(t.name);
    used += t.bytes;
  }
  if (current.length) shards.push(current);
  return shards;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** Writes `file` via `file.tmp` and a rename; fsyncs before the rename so the final name never points at lost data. */
export function writeAtomically(file: string, write: (fd: number) => void): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    write(fd);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/**
 * One safetensors file of float tensors in the given order, header padded to 8 bytes with spaces like the reference
 * implementation; each tensor is encoded only when its turn comes, so memory stays at one tensor's copy.
 */
export function writeFloatSafetensors(file: string, tensors: readonly FloatTensor[], dtype: FloatDtype = 'F32', metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = numel(t.shape) * DTYPE_BYTES[dtype];
    if (t.data.length !== numel(t.shape)) throw new Error(`Tensor ${t.name}: ${t.data.length} values given, [${t.shape}] needs ${numel(t.shape)}.`);
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(padded.length));
  writeAtomically(file, (fd) => {
    writeAll(fd, len);
    writeAll(fd, padded);
    for (const t of tensors) writeAll(fd, encodeFloats(t.data, dtype));
  });
}

/**
 * Writes the tensors into `dir` (which must exist) as a Hugging Face checkpoint, greedy in name order. Leftovers of an
 * earlier save in the other layout (model.safetensors vs shards and index, or shards of another count) are removed
 * after the new files are in place.
 */
export function writeShardedSafetensors(dir: string, tensors: readonly FloatTensor[], opts: ShardedWriteOptions = {}): ShardedWriteResult {
  const dtype = opts.dtype ?? 'F32';
  const metadata = opts.metadata ?? { format: 'pt' };
  const byName = new Map<string, FloatTensor>();
  for (const t of tensors) {
    if (byName.has(t.name)) throw new Error(`Tensor ${t.name} is given twice.`);
    byName.set(t.name, t);
  }
  const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sizes = sorted.map((t) => ({ name: t.name, bytes: numel(t.shape) * DTYPE_BYTES[dtype] }));
  const totalSize = sizes.reduce((a, s) => a + s.bytes, 0);
  const plan = planShards(sizes, opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES);
  if (plan.length === 0) throw new Error('writeShardedSafetensors: no tensors');

  const names = plan.length === 1 ? [SINGLE_FILE] : plan.map((_, i) => shardFileName(i, plan.length));
  plan.forEach((shard, i) => writeFloatSafetensors(join(dir, names[i]), shard.map((n) => byName.get(n) as FloatTensor), dtype, metadata));

  const index = join(dir, INDEX_FILE);
  if (plan.length > 1) {
    const weightMap: Record<string, string> = {};
    plan.forEach((shard, i) => shard.forEach((n) => (weightMap[n] = names[i])));
    const text = `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2)}\n`;
    writeAtomically(index, (fd) => writeAll(fd, Buffer.from(text, 'utf8')));
  } else {
    rmSync(index, { force: true }); // the index would still name the old shards
  }
  const keep = new Set(names);
  for (const f of readdirSync(dir)) {
    if ((SHARD_RE.test(f) || f === SINGLE_FILE) && !keep.has(f)) rmSync(join(dir, f), { force: true });
  }
  return { files: names.map((n) => join(dir, n)), totalSize, indexFile: plan.length > 1 ? index : null };
}

/** Every tensor of a checkpoint folder (single file or shards) as float32, whatever of F32/F16/BF16 it is stored in. */
export function readFloatCheckpoint(dir: string): Map<string, { shape: number[]; data: Float32Array }> {
  if (!existsSync(dir)) throw new Error(`${dir} does not exist.`);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, loc] of checkpointTensors(dir)) {
    if (loc.dtype !== 'F32' && loc.dtype !== 'F16' && loc.dtype !== 'BF16') throw new Error(`${loc.file}: tensor ${name} is ${loc.dtype}, not a float type.`);
    out.set(name, { shape: loc.shape, data: decodeFloats(readTensorBytes(loc), loc.dtype) });
  }
  return out;
}
