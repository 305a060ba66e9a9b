// The subset of onnx.proto (proto2) we write, as a protobufjs reflection descriptor; field numbers are onnx.proto's.

import protobuf from 'protobufjs';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } }>;

const opt = (type: string, id: number) => ({ type, id });
const rep = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });
/** proto2 repeated scalars are unpacked unless onnx.proto says [packed = true]. */
const unpacked = (type: string, id: number) => ({ ...rep(type, id), options: { packed: false } });
const packed = (type: string, id: number) => ({ ...rep(type, id), options: { packed: true } });

// Enum-typed fields (AttributeProto.type, TensorProto.data_location) are declared int32:
// the same varint on the wire, and we write the numeric codes ourselves.
const messages: Record<string, Fields> = {
  StringStringEntryProto: { key: opt('string', 1), value: opt('string', 2) },
  OperatorSetIdProto: { domain: opt('string', 1), version: opt('int64', 2) },
  TensorProto: {
    dims: unpacked('int64', 1),
    data_type: opt('int32', 2),
    float_data: packed('float', 4),
    int32_data: packed('int32', 5),
    int64_data: packed('int64', 7),
    name: opt('string', 8),
    raw_data: opt('bytes', 9),
    double_data: packed('double', 10),
    doc_string: opt('string', 12),
    external_data: rep('StringStringEntryProto', 13),
    data_location: opt('int32', 14),
  },
  AttributeProto: {
    name: opt('string', 1),
    f: opt('float', 2),
    i: opt('int64', 3),
    s: opt('bytes', 4),
    t: opt('TensorProto', 5),
    floats: unpacked('float', 7),
    ints: unpacked('int64', 8),
    strings: rep('bytes', 9),
    doc_string: opt('string', 13),
    type: opt('int32', 20),
  },
  NodeProto: {
    input: rep('string', 1),
    output: rep('string', 2),
    name: opt('string', 3),
    op_type: opt('string', 4),
    attribute: rep('AttributeProto', 5),
    doc_string: opt('string', 6),
    domain: opt('string', 7),
  },
  TensorShapeProto_Dimension: { dim_value: opt('int64', 1), dim_param: opt('string', 2), denotation: opt('string', 3) },
  TensorShapeProto: { dim: rep('TensorShapeProto_Dimension', 1) },
  TypeProto_Tensor: { elem_type: opt('int32', 1), shape: opt('TensorShapeProto', 2) },
  TypeProto: { tensor_type: opt('TypeProto_Tensor', 1), denotation: opt('string', 6) },
  ValueInfoProto: { name: opt('string', 1), type: opt('TypeProto', 2), doc_string: opt('string', 3) },
  GraphProto: {
    node: rep('NodeProto', 1),
    name: opt('string', 2),
    initializer: rep('TensorProto', 5),
    doc_string: opt('string', 10),
    input: rep('ValueInfoProto', 11),
    output: rep('ValueInfoProto', 12),
    value_info: rep('ValueInfoProto', 13),
  },
  ModelProto: {
    ir_version: opt('int64', 1),
    producer_name: opt('string', 2),
    producer_version: opt('string', 3),
    domain: opt('string', 4),
    model_version: opt('int64', 5),
    doc_string: opt('string', 6),
    graph: opt('GraphProto', 7),
    opset_import: rep('OperatorSetIdProto', 8),
    metadata_props: rep('StringStringEntryProto', 14),
  },
};

// Nested messages (TensorShapeProto.Dimension, TypeProto.Tensor) are flattened under distinct
// names: only field numbers and wire types reach the bytes, never message names.
const root = protobuf.Root.fromJSON({
  nested: { onnx: { nested: Object.fromEntries(Object.entries(messages).map(([k, fields]) => [k, { fields }])) } },
});

export const ModelProto = root.lookupType('onnx.ModelProto');

/** AttributeProto.AttributeType codes. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;
/** TensorProto.DataLocation codes. */
export const DATA_LOCATION = { DEFAULT: 0, EXTERNAL: 1 } as const;
