// ONNX bytes of an nn graph: the engine serializer, plus the BFLOAT16 type on bf16 external weights.

import type { Graph } from '../ir/graph';
import { modelObject, type SerializeOptions } from '../onnx/serialize';
import { ModelProto } from '../onnx/proto';

/** TensorProto.DataType BFLOAT16 (onnx.proto). */
const ONNX_BFLOAT16 = 16;

interface TensorObj { name: string; data_type: number }

/**
 * serializeModel(graph) with the initializers named in `bf16` re-typed as BFLOAT16. They are
 * declared float16 in the IR (same width), and each is read only by a Cast to float32 (weights.ts).
 */
export function serializeGraph(graph: Graph, bf16: readonly string[] = [], opts: SerializeOptions = {}): Uint8Array {
  const obj = modelObject(graph, opts) as { graph: { initializer: TensorObj[] } };
  const names = new Set(bf16);
  for (const t of obj.graph.initializer) if (names.has(t.name)) t.data_type = ONNX_BFLOAT16;
  const err = ModelProto.verify(obj);
  if (err) throw new Error(`ModelProto: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(obj)).finish();
}
