// Public surface of the IR: graph builder, values, dtypes, shape helpers, tensor constructors.

export { Graph, type SliceArgs } from './graph';
export { GraphCore, checkLocation, type Initializer } from './graph-core';
export { Value, type Node, type ValueKind } from './value';
export type { EmitContext, GradRule, OnnxAttr, OpDef, OutputSpec } from './op-def';
export * from './types';
export { broadcastShapes, dimAdd, dimProduct, dimQuotient, isStatic, normAxis, numel, sameShape } from './shape';
export { scalarTensor, tensor, toFloat16Bits } from './tensor';
