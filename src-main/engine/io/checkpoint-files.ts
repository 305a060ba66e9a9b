// A Hugging Face model folder's weights: which .safetensors files (one, or the shards of the index) and every tensor in them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsHeader, type TensorLocation } from './safetensors';

const INDEX = 'model.safetensors.index.json';

/** The checkpoint's files: the shards named by model.safetensors.index.json, else model.safetensors. */
export function checkpointFiles(modelDir: string): string[] {
  const index = join(modelDir, INDEX);
  if (existsSync(index)) {
    let map: Record<string, string>;
    try {
      map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
    } catch (err) {
      throw new Error(`${index} is not a valid safetensors index (${(err as Error).message}).`, { cause: err });
    }
    if (!map || typeof map !== 'object') throw new Error(`${index} has no "weight_map".`);
    const files = [...new Set(Object.values(map))].sort().map((f) => join(modelDir, f));
    for (const f of files) if (!existsSync(f)) throw new Error(`${index} names ${f}, which does not exist.`);
    return files;
  }
  const single = join(modelDir, 'model.safetensors');
  if (!existsSync(single)) throw new Error(`${modelDir} has no model.safetensors (nor ${INDEX}): only safetensors checkpoints are supported.`);
  return [single];
}

/** Every tensor of the checkpoint by name, with the file and byte range it lies in. */
export function checkpointTensors(modelDir: string): Map<string, TensorLocation> {
  const all = new Map<string, TensorLocation>();
  for (const file of checkpointFiles(modelDir)) {
    for (const [name, loc] of readSafetensorsHeader(file).tensors) {
      if (all.has(name)) throw new Error(`Tensor ${name} appears in both ${all.get(name)!.file} and ${file}.`);
      all.set(name, loc);
    }
  }
  return all;
}
