// Shared pieces of op definitions: default emission, common shape rules, gradient un-broadcasting.

import type { Graph } from '../ir/graph';
import type { EmitContext, OnnxAttr, OutputSpec } from '../ir/op-def';
import { broadcastShapes } from '../ir/shape';
import { isFloat, type Attrs, type Shape } from '../ir/types';
import type { Node, Value } from '../ir/value';

/** Emits the node 1:1 as `opType` with the given attributes. */
export function emitAs(opType: string, attrs: (node: Node) => OnnxAttr[] = () => []) {
  return (node: Node, ctx: EmitContext): void =>
    ctx.node(opType, node.inputs.map((v) => v.name), node.outputs.map((v) => v.name), attrs(node));
}

export function expectInputs(op: string, inputs: readonly Value[], n: number): void {
  if (inputs.length !== n) throw new Error(`${op}: expected ${n} inputs, got ${inputs.length}`);
}

export function expectFloat(op: string, v: Value): void {
  if (!isFloat(v.dtype)) throw new Error(`${op}: '${v.name}' must be a float tensor, got ${v.dtype}`);
}

/** Shape rule of a float unary elementwise op. */
export function unaryFloatInfer(op: string) {
  return (inputs: readonly Value[]): OutputSpec[] => {
    expectInputs(op, inputs, 1);
    expectFloat(op, inputs[0]);
    return [{ dtype: inputs[0].dtype, shape: inputs[0].shape }];
  };
}

/** Shape rule of a binary broadcasting op whose operands share a dtype. */
export function binaryInfer(op: string, outDtype?: 'bool') {
  return (inputs: readonly Value[]): OutputSpec[] => {
    expectInputs(op, inputs, 2);
    const [a, b] = inputs;
    if (a.dtype !== b.dtype) throw new Error(`${op}: dtype mismatch ${a} vs ${b}`);
    return [{ dtype: outDtype ?? a.dtype, shape: broadcastShapes(a.shape, b.shape) }];
  };
}

/** The gradient of a single-output op; autodiff only calls a rule when some output has one. */
export function only(dOut: readonly (Value | null)[]): Value {
  const d = dOut[0];
  if (!d) throw new Error('gradient rule called without an output gradient');
  return d;
}

/**
 * Sums a broadcast gradient back to `target`: leading axes the input lacked are summed and
 * squeezed; axes where the input had 1 are summed with keepdims. Squeeze (not Reshape) keeps
 * symbolic dims working without a runtime Shape op.
 */
export function unbroadcast(g: Graph, grad: Value, target: Shape): Value {
  const lead = grad.rank - target.length;
  if (lead < 0) throw new Error(`unbroadcast: gradient ${grad} has lower rank than [${target}]`);
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead || (target[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return grad;
  // Only leading axes (the bias case): one ReduceSum without keepdims does it all.
  if (axes.length === lead) return g.reduceSum(grad, axes, false);
  const r = g.reduceSum(grad, axes, true);
  return lead > 0 ? g.squeeze(r, Array.from({ length: lead }, (_, i) => i)) : r;
}

export function intsAttr(name: string, value: readonly number[]): OnnxAttr {
  return { name, kind: 'ints', value };
}

export function intAttr(name: string, value: number): OnnxAttr {
  return { name, kind: 'int', value };
}

export function numAttr(attrs: Attrs, key: string, fallback?: number): number {
  const v = attrs[key];
  if (typeof v === 'number') return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`missing numeric attribute '${key}'`);
}

export function numsAttr(attrs: Attrs, key: string): readonly number[] {
  const v = attrs[key];
  if (Array.isArray(v)) return v as readonly number[];
  throw new Error(`missing list attribute '${key}'`);
}
