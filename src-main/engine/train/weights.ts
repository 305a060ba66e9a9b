// A model folder's weights as the graph sees them: checkpoint files hard-linked beside the graph, tensors as WeightRefs.
import { checkpointFiles } from '../io/checkpoint-files';
import { readSafetensorsHeader } from '../io/safetensors';
import { linkWeightFiles, type WeightRef } from '../nn';

/**
 * The graph folder must hold the weight files itself: ORT refuses external data outside the .onnx file's folder.
 * Dtypes pass through unchecked: the graph builder names any tensor it uses whose dtype it cannot read.
 */
export function resolveWeightRefs(modelDir: string, graphDir: string): WeightRef[] {
  const files = checkpointFiles(modelDir);
  const links = linkWeightFiles(graphDir, files);
  return files.flatMap((file) =>
    [...readSafetensorsHeader(file).tensors.values()].map((t) => ({
      name: t.name, dtype: t.dtype as WeightRef['dtype'], shape: t.shape, location: links.get(file) as string, offset: t.offset, length: t.byteLength,
    })),
  );
}
