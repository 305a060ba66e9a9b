// Merges a LoRA adapter into its base model: a new Hugging Face folder with W' = W + s·B·A in the base's dtype
// (s = alpha/r, or alpha/√r for rsLoRA), or for DoRA W' = m ⊙ (W + s·B·A) / ‖W + s·B·A‖ row by row (PEFT
// tuners/lora/variants.py DoraLinearVariant.merge_safe: the magnitude over the norm of the updated weight, per output row).
//
// Layout choice: every shard is copied whole (same file names, same headers, same index) and only the adapted tensors'
// bytes are overwritten in place. Shapes and dtypes do not change, so every byte offset stays valid: untouched tensors
// are byte-identical by construction, the index can be copied verbatim, and memory stays at one tensor at a time.
import { closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { checkpointFiles, checkpointTensors } from '../engine/io/checkpoint-files';
import { decodeFloats, encodeFloats, type FloatDtype } from '../engine/io/float-codec';
import { readModelConfig } from './hf/config';
import { loraPairs, loraScaling, readPeftAdapter, type LoraPair } from './peft';
import { readTensorBytes, type TensorLocation } from './safetensors';

/** Files of a model folder that are not weights and that loaders need beside them (copied when present). */
export const MODEL_SIDE_FILES = [
  'config.json', 'generation_config.json', 'model.safetensors.index.json',
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json',
  'vocab.json', 'merges.txt', 'vocab.txt', 'tokenizer.model', 'chat_template.jinja', 'chat_template.json',
];

export interface MergeOptions {
  baseDir: string;
  adapterDir: string;
  outDir: string;
}

export interface MergeSummary {
  outDir: string;
  /** Modules whose weight was merged, e.g. model.layers.0.self_attn.q_proj. */
  modules: string[];
  /** The dtypes of the merged weights as stored (the base's). */
  dtypes: string[];
  files: string[];
  /** Temporary folders of earlier merges killed before their rename, removed from OUT's parent (see removeStalePartials). */
  removedPartials: RemovedPartial[];
}

export interface RemovedPartial {
  path: string;
  /** The process that was writing it (no longer running). */
  pid: number;
  bytes: number;
}

export { decodeFloats, encodeFloats, toBFloat16Bits } from '../engine/io/float-codec';

/**
 * W + scale·(B A) for W [out, in], A [r, in], B [out, r]. Each row of B·A is accumulated in float64 and the sum
 * W + scale·BA is rounded once to float32 (then once more, by the caller, to the checkpoint's dtype), so the result
 * does not depend on a summation order and matches a float64 reference rounded the same way.
 */
export function mergeLinear(w: Float32Array, a: Float32Array, b: Float32Array, out: number, inF: number, r: number, scale: number): Float32Array {
  const merged = new Float32Array(out * inF);
  const row = new Float64Array(inF);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const bk = b[o * r + k];
      if (bk === 0) continue;
      const base = k * inF;
      for (let i = 0; i < inF; i++) row[i] += bk * a[base + i];
    }
    const off = o * inF;
    for (let i = 0; i < inF; i++) merged[off + i] = w[off + i] + scale * row[i];
  }
  return merged;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of DIR, or of its nearest existing ancestor joined with the rest (DIR may not exist yet). */
function realish(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(abs)) return realpathSync(abs);
  return join(realish(dirname(abs)), relative(dirname(abs), abs));
}

function checkOutDir(baseDir: string, outDir: string): void {
  const base = realpathSync(baseDir);
  const out = realish(outDir);
  if (isInside(out, base)) throw new Error(`The merged folder ${outDir} lies inside the base model folder ${baseDir}; the base model is never written to. Choose another folder.`);
  if (existsSync(outDir) && readdirSync(outDir).length) throw new Error(`${outDir} is not empty: choose a new or empty folder for the merged model.`);
}

/**
 * DoRA's merged weight: row o of W + scale·(B A) times m[o] / ‖that row‖. Each row is formed and normed in float64
 * and rounded once to float32, as mergeLinear does.
 */
export function mergeLinearDora(w: Float32Array, a: Float32Array, b: Float32Array, m: Float32Array, out: number, inF: number, r: number, scale: number): Float32Array {
  const merged = new Float32Array(out * inF);
  const row = new Float64Array(inF);
  for (let o = 0; o < out; o++) {
    const off = o * inF;
    for (let i = 0; i < inF; i++) row[i] = w[off + i];
    for (let k = 0; k < r; k++) {
      const c = scale * b[o * r + k];
      if (c === 0) continue;
      const base = k * inF;
      for (let i = 0; i < inF; i++) row[i] += c * a[base + i];
    }
    let sq = 0;
    for (let i = 0; i < inF; i++) sq += row[i] * row[i];
    const factor = m[o] / Math.sqrt(sq);
    for (let i = 0; i < inF; i++) merged[off + i] = factor * row[i];
  }
  return merged;
}

/** Where each adapted module's weight lies in the base checkpoint, checked against the pair's shapes. */
function locateTargets(pairs: LoraPair[], tensors: Map<string, TensorLocation>, baseDir: string): Map<string, { pair: LoraPair; loc: TensorLocation }> {
  const found = new Map<string, { pair: LoraPair; loc: TensorLocation }>();
  for (const pair of pairs) {
    const name = `${pair.module}.weight`;
    const loc = tensors.get(name);
    if (!loc) throw new Error(`The adapter adapts ${pair.module}, but the base model ${baseDir} has no tensor ${name}: the adapter belongs to another model.`);
    if (loc.dtype !== 'F32' && loc.dtype !== 'F16' && loc.dtype !== 'BF16') throw new Error(`${name} in ${loc.file} is ${loc.dtype}; merging needs F32, F16 or BF16 weights.`);
    const [r, inF] = pair.a.shape;
    const out = pair.b.shape[0];
    if (loc.shape.length !== 2 || loc.shape[0] !== out || loc.shape[1] !== inF) {
      throw new Error(`${name} is [${loc.shape}] but the adapter's update B·A is [${out}, ${inF}] (r=${r}): the adapter belongs to another model.`);
    }
    found.set(name, { pair, loc });
  }
  return found;
}

/** A merge's temporary folder: OUT.partial-PID beside OUT, PID the writing process. */
const PARTIAL_NAME = /^.+\.partial-([1-9][0-9]{0,9})$/;

/** Whether PID is a running process (of any user: EPERM means it exists but is not ours to signal). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * The bytes of a folder holding only what a merge writes (weight shards and MODEL_SIDE_FILES, plain files), or null
 * for anything else: a folder of someone else's that happens to be named like ours is never removed.
 */
function mergeOutputBytes(dir: string): number | null {
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    const inner = stat.isDirectory() ? mergeOutputBytes(path) : null; // shards an index places in a subfolder
    if (inner !== null) bytes += inner;
    else if (stat.isFile() && (name.endsWith('.safetensors') || MODEL_SIDE_FILES.includes(name))) bytes += stat.size;
    else return null;
  }
  return bytes;
}

/**
 * Removes the temporary folders (NAME.partial-PID) that merges killed before their rename left in PARENT, each only
 * when process PID is no longer running (a live merge's folder is never touched) and the folder holds nothing but
 * what a merge writes. Returns what was removed.
 */
export function removeStalePartials(parent: string): RemovedPartial[] {
  if (!existsSync(parent)) return [];
  const removed: RemovedPartial[] = [];
  for (const name of readdirSync(parent)) {
    const match = PARTIAL_NAME.exec(name);
    if (!match) continue;
    const path = join(parent, name);
    const pid = Number(match[1]);
    if (!Number.isSafeInteger(pid) || pid > 0x7fffffff || processAlive(pid)) continue;
    try {
      if (!lstatSync(path).isDirectory()) continue; // a symlink or a file of that name is not ours
      const bytes = mergeOutputBytes(path);
      if (bytes === null) continue;
      rmSync(path, { recursive: true });
      removed.push({ path, pid, bytes });
    } catch {
      // unreadable or already gone: not worth failing the new export for
    }
  }
  return removed;
}

/** Writes the merged model into OUT (through a temporary sibling, renamed at the end, so OUT is never half-written). */
export function mergeAdapter(opts: MergeOptions): MergeSummary {
  const { baseDir, adapterDir, outDir } = opts;
  readModelConfig(baseDir); // a clear error for a folder that is not a supported model
  checkOutDir(baseDir, outDir);
  const adapter = readPeftAdapter(adapterDir, { rslora: true, dora: true });
  const scale = loraScaling(adapter);
  const targets = locateTargets(loraPairs(adapter, adapterDir), checkpointTensors(baseDir), baseDir);

  const tmp = `${resolve(outDir)}.partial-${process.pid}`;
  const removedPartials = removeStalePartials(dirname(tmp));
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files: string[] = [];
  try {
    for (const shard of checkpointFiles(baseDir)) {
      const rel = relative(baseDir, shard);
      const dest = join(tmp, rel);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(shard, dest);
      files.push(rel);
      const fd = openSync(dest, 'r+');
      try {
        for (const { pair, loc } of targets.values()) {
          if (loc.file !== shard) continue;
          const dtype = loc.dtype as FloatDtype;
          const [r, inF] = pair.a.shape;
          const w = decodeFloats(readTensorBytes(loc), dtype);
          const out = pair.b.shape[0];
          const merged = pair.m
            ? mergeLinearDora(w, pair.a.data, pair.b.data, pair.m.data, out, inF, r, scale)
            : mergeLinear(w, pair.a.data, pair.b.data, out, inF, r, scale);
          const bytes = encodeFloats(merged, dtype);
          writeSync(fd, bytes, 0, bytes.byteLength, loc.offset);
        }
      } finally {
        closeSync(fd);
      }
    }
    for (const name of MODEL_SIDE_FILES) {
      if (!existsSync(join(baseDir, name))) continue;
      copyFileSync(join(baseDir, name), join(tmp, name)); // follows symlinks (Hugging Face cache snapshots)
      files.push(name);
    }
    if (existsSync(outDir)) rmSync(outDir, { recursive: true }); // empty, checked above
    mkdirSync(dirname(resolve(outDir)), { recursive: true });
    renameSync(tmp, outDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const entries = [...targets.values()];
  return { outDir, modules: entries.map((e) => e.pair.module), dtypes: [...new Set(entries.map((e) => e.loc.dtype))], files: files.sort(), removedPartials };
}
