// A model folder's weights as the graph sees them: checkpoint files hard-linked (or, across filesystems, copied) beside
// the graph, tensors as WeightRefs.
import { statSync } from 'node:fs';
import { checkpointFiles } from '../io/checkpoint-files';
import { readSafetensorsHeader } from '../io/safetensors';
import { linkWeightFiles, type WeightRef } from '../nn';

/**
 * The graph folder must hold the weight files itself: ORT refuses external data outside the .onnx file's folder.
 * Dtypes pass through unchecked: the graph builder names any tensor it uses whose dtype it cannot read.
 */
export function resolveWeightRefs(modelDir: string, graphDir: string, notice?: (text: string) => void): WeightRef[] {
  const files = checkpointFiles(modelDir);
  const links = linkWeightFiles(graphDir, files, {
    onCopy: (from, to, code) => notice?.(`copied ${from} to ${to} (${(statSync(to).size / 2 ** 30).toFixed(2)} GiB): a hard link was not possible (${code}, another filesystem)`),
  });
  return files.flatMap((file) =>
    [...readSafetensorsHeader(file).tensors.values()].map((t) => ({
      name: t.name, dtype: t.dtype as WeightRef['dtype'], shape: t.shape, location: links.get(file) as string, offset: t.offset, length: t.byteLength,
    })),
  );
}
