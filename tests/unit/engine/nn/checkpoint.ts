// Test-side stand-in for main: a model folder's safetensors → WeightRefs beside a graph folder; run a built graph.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltGraph, WeightRef } from '../../../../src-main/engine/nn';
import { linkWeightFiles } from '../../../../src-main/engine/nn';
import { EngineSession, type Feed, type HostTensor } from '../../../../src-main/engine/runtime';
import { readSafetensorsHeader } from '../../../../src-main/models/safetensors';

/** The checkpoint's files: the shards named by model.safetensors.index.json, else model.safetensors. */
export function checkpointFiles(modelDir: string): string[] {
  const index = join(modelDir, 'model.safetensors.index.json');
  if (!existsSync(index)) return [join(modelDir, 'model.safetensors')];
  const map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
  return [...new Set(Object.values(map))].sort().map((f) => join(modelDir, f));
}

/** Hard-links the checkpoint into graphDir and describes every tensor relative to it. */
export function resolveWeights(modelDir: string, graphDir: string): WeightRef[] {
  const files = checkpointFiles(modelDir);
  const links = linkWeightFiles(graphDir, files);
  return files.flatMap((file) =>
    [...readSafetensorsHeader(file).tensors.values()].map((t) => ({
      name: t.name, dtype: t.dtype as WeightRef['dtype'], shape: t.shape,
      location: links.get(file) as string, offset: t.offset, length: t.byteLength,
    })),
  );
}

/** Writes the graph into graphDir (so external locations resolve), runs it once, releases the session. */
export async function runBuilt(built: BuiltGraph, graphDir: string, feeds: Record<string, Feed>, file = 'graph.onnx'): Promise<Record<string, HostTensor>> {
  const path = join(graphDir, file);
  writeFileSync(path, built.serialize());
  const s = await EngineSession.create(path, { intraOpThreads: 1 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** max|a − b| / max|b|: the error relative to the reference tensor's largest magnitude. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

export function int64Feed(rows: number[][]): Feed {
  return { data: BigInt64Array.from(rows.flat().map((v) => BigInt(v))), dims: [rows.length, rows[0].length] };
}
