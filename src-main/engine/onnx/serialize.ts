// Graph → ONNX ModelProto bytes (ir_version 8, opset 17): value infos, initializers (inline/external), emitted nodes.

import type { Graph } from '../ir/graph';
import type { EmitContext, OnnxAttr } from '../ir/op-def';
import { isExternal, type InlineTensor, type Shape, type TensorPayload } from '../ir/types';
import type { Node, Value } from '../ir/value';
import { onnxDataType } from './dtype';
import { ATTR_TYPE, DATA_LOCATION, ModelProto } from './proto';

export const IR_VERSION = 8;
export const OPSET = 17;

export interface SerializeOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
}

type Obj = Record<string, unknown>;

function bytesOf(t: InlineTensor): Uint8Array {
  // Typed arrays are little-endian on every platform we ship to, which is what raw_data wants.
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function tensorProto(name: string, t: TensorPayload): Obj {
  const base = { name, dims: [...t.shape], data_type: onnxDataType(t.dtype) };
  if (!isExternal(t)) return { ...base, raw_data: bytesOf(t) };
  const { location, offset, length } = t.external;
  return {
    ...base,
    data_location: DATA_LOCATION.EXTERNAL,
    external_data: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  };
}

function valueInfo(v: Value): Obj {
  const dim = (d: Shape[number]) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d });
  return { name: v.name, type: { tensor_type: { elem_type: onnxDataType(v.dtype), shape: { dim: v.shape.map(dim) } } } };
}

function attribute(a: OnnxAttr): Obj {
  switch (a.kind) {
    case 'int':
      return { name: a.name, type: ATTR_TYPE.INT, i: a.value };
    case 'ints':
      return { name: a.name, type: ATTR_TYPE.INTS, ints: [...a.value] };
    case 'float':
      return { name: a.name, type: ATTR_TYPE.FLOAT, f: a.value };
    case 'string':
      return { name: a.name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name: a.name, type: ATTR_TYPE.TENSOR, t: tensorProto('', a.value) };
  }
}

/** Nodes the outputs depend on, in graph order; dead nodes (unused cached scalars) are dropped. */
function liveNodes(graph: Graph): Node[] {
  const live = new Set<Node>();
  const stack = [...graph.outputs];
  const seen = new Set<Value>();
  while (stack.length > 0) {
    const v = stack.pop() as Value;
    if (seen.has(v)) continue;
    seen.add(v);
    if (v.producer && !live.has(v.producer)) {
      live.add(v.producer);
      stack.push(...v.producer.inputs);
    }
  }
  return graph.nodes.filter((n) => live.has(n));
}

/** The ModelProto as a plain object (useful for inspection); `serializeModel` encodes it. */
export function modelObject(graph: Graph, opts: SerializeOptions = {}): Obj {
  if (graph.outputs.length === 0) throw new Error('graph has no outputs');
  const nodes: Obj[] = [];
  const consts: Obj[] = [];
  const constNames = new Map<string, string>();
  const ctx: EmitContext = {
    node(opType, inputs, outputs, attrs = []) {
      nodes.push({ op_type: opType, name: `${opType}_${nodes.length}`, input: [...inputs], output: [...outputs], attribute: attrs.map(attribute) });
    },
    int64(values, scalar = false) {
      const key = `${scalar ? 's' : 'v'}:${values.join(',')}`;
      let name = constNames.get(key);
      if (!name) {
        name = graph.uniqueName(`const_i64_${constNames.size}`);
        constNames.set(key, name);
        const t: InlineTensor = { dtype: 'int64', shape: scalar ? [] : [values.length], data: BigInt64Array.from(values.map((x) => BigInt(x))) };
        consts.push(tensorProto(name, t));
      }
      return name;
    },
  };
  for (const n of liveNodes(graph)) n.op.emit(n, ctx);
  return {
    ir_version: IR_VERSION,
    producer_name: opts.producerName ?? 'finetune-studio',
    producer_version: opts.producerVersion ?? '0',
    doc_string: opts.docString,
    opset_import: [{ domain: '', version: OPSET }],
    graph: {
      name: graph.name,
      node: nodes,
      initializer: [...graph.initializers.map((i) => tensorProto(i.value.name, i.payload)), ...consts],
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
}

/** ONNX bytes of `graph`. External initializers resolve relative to wherever the bytes are saved. */
export function serializeModel(graph: Graph, opts: SerializeOptions = {}): Uint8Array {
  const obj = modelObject(graph, opts);
  const err = ModelProto.verify(obj);
  if (err) throw new Error(`ModelProto: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(obj)).finish();
}
