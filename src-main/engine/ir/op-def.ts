// The contract every primitive in ops/ fulfils: shape rule, ONNX emission, gradient rule.

import type { Graph } from './graph';
import type { Node, Value } from './value';
import type { Attrs, Dim, DType, InlineTensor, Shape } from './types';

/** What a shape rule returns per output. `known` is the symbolic content of a 1-D int64 shape tensor. */
export interface OutputSpec {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly known?: readonly Dim[];
}

/** ONNX attributes, typed by the emitter because plain JS numbers cannot tell int from float. */
export type OnnxAttr =
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'tensor'; readonly value: InlineTensor };

/** Handed to emitters by the serializer. Constant operands (axes, pads...) become deduplicated initializers. */
export interface EmitContext {
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs?: readonly OnnxAttr[]): void;
  /** Name of an int64 initializer holding `values` (1-D, or a scalar when `scalar`). */
  int64(values: readonly number[], scalar?: boolean): string;
}

/** Gradients of a node's inputs given its outputs' gradients; null where none flows (or none is needed). */
export type GradRule = (
  g: Graph,
  node: Node,
  dOut: readonly (Value | null)[],
  needs: readonly boolean[],
) => (Value | null)[];

export interface OpDef {
  /** Primitive name; usually the ONNX op_type. */
  readonly name: string;
  infer(inputs: readonly Value[], attrs: Attrs): OutputSpec[];
  emit(node: Node, ctx: EmitContext): void;
  /** Absent for ops that are not differentiable (comparisons, shape queries). */
  readonly grad?: GradRule;
}
