// Public surface of ONNX serialization.

export { IR_VERSION, OPSET, modelObject, serializeModel, type SerializeOptions } from './serialize';
export { onnxDataType } from './dtype';
