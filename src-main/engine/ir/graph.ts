// Graph: the builder, one method per primitive op (ops/ owns each op's shape, emission and gradient rules).

import * as ops from '../ops/index';
import { GraphCore } from './graph-core';
import { isStatic } from './shape';
import { scalarTensor, tensor } from './tensor';
import type { OpDef } from './op-def';
import type { Attrs, DType, InlineTensor } from './types';
import type { Value } from './value';

export interface SliceArgs {
  starts: readonly number[];
  ends: readonly number[];
  axes?: readonly number[];
  steps?: readonly number[];
}

export class Graph extends GraphCore {
  private readonly scalars = new Map<string, Value>();

  private one(op: OpDef, inputs: Value[], attrs: Attrs = {}): Value {
    return this.apply(op, inputs, attrs)[0];
  }

  protected override renamed(v: Value, name: string): Value {
    return this.apply(ops.Identity, [v], {}, [name])[0];
  }

  // Constants and shape helpers.
  constant(t: InlineTensor): Value { return this.one(ops.Constant, [], { value: t }); }
  /** A rank-0 constant, shared per (value, dtype) so gradient rules do not multiply them. */
  scalar(value: number, dtype: DType): Value {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
    let v = this.scalars.get(key);
    if (!v) this.scalars.set(key, (v = this.constant(scalarTensor(value, dtype))));
    return v;
  }
  int64s(values: readonly number[]): Value { return this.constant(tensor('int64', [values.length], values)); }
  /** x's shape as an int64 tensor: a constant when static, a Shape node when symbolic. */
  shapeOf(x: Value): Value { return isStatic(x.shape) ? this.int64s(x.shape) : this.shape(x); }
  shape(x: Value): Value { return this.one(ops.Shape, [x]); }
  size(x: Value): Value { return this.one(ops.Size, [x]); }
  constantOfShape(shape: Value, value: number, dtype: DType): Value {
    return this.one(ops.ConstantOfShape, [shape], { value, dtype });
  }
  zerosLike(x: Value): Value { return this.constantOfShape(this.shapeOf(x), 0, x.dtype); }
  identity(x: Value): Value { return this.one(ops.Identity, [x]); }
  /** int64 positions 0..n-1 where n = x.shape[axis] (symbolic dims resolved at run time). */
  arange(x: Value, axis: number): Value { return this.one(ops.Arange, [x], { axis }); }

  // Elementwise binary (numpy broadcasting).
  add(a: Value, b: Value): Value { return this.one(ops.Add, [a, b]); }
  sub(a: Value, b: Value): Value { return this.one(ops.Sub, [a, b]); }
  mul(a: Value, b: Value): Value { return this.one(ops.Mul, [a, b]); }
  div(a: Value, b: Value): Value { return this.one(ops.Div, [a, b]); }
  pow(a: Value, p: Value): Value { return this.one(ops.Pow, [a, p]); }
  max(a: Value, b: Value): Value { return this.one(ops.Max, [a, b]); }
  /** Integer remainder (sign of b); not differentiable. */
  mod(a: Value, b: Value): Value { return this.one(ops.Mod, [a, b]); }
  equal(a: Value, b: Value): Value { return this.one(ops.Equal, [a, b]); }
  greater(a: Value, b: Value): Value { return this.one(ops.Greater, [a, b]); }
  less(a: Value, b: Value): Value { return this.one(ops.Less, [a, b]); }
  where(cond: Value, a: Value, b: Value): Value { return this.one(ops.Where, [cond, a, b]); }

  // Elementwise unary.
  neg(x: Value): Value { return this.one(ops.Neg, [x]); }
  abs(x: Value): Value { return this.one(ops.Abs, [x]); }
  sign(x: Value): Value { return this.one(ops.Sign, [x]); }
  exp(x: Value): Value { return this.one(ops.Exp, [x]); }
  log(x: Value): Value { return this.one(ops.Log, [x]); }
  sqrt(x: Value): Value { return this.one(ops.Sqrt, [x]); }
  reciprocal(x: Value): Value { return this.one(ops.Reciprocal, [x]); }
  sigmoid(x: Value): Value { return this.one(ops.Sigmoid, [x]); }
  tanh(x: Value): Value { return this.one(ops.Tanh, [x]); }
  relu(x: Value): Value { return this.one(ops.Relu, [x]); }
  sin(x: Value): Value { return this.one(ops.Sin, [x]); }
  cos(x: Value): Value { return this.one(ops.Cos, [x]); }
  /** Identity forward; the gradient is rounded to `format` (emulated low-precision backward, see ops/grad-round.ts). */
  gradRound(x: Value, format: 'fp16' | 'bf16' | 'fp8e4m3' | 'fp8e5m2'): Value { return this.one(ops.GradRound, [x], { format }); }
  /** `value` forward, the gradient passes to x unchanged and none reaches `value` (ops/straight-through.ts). */
  straightThrough(x: Value, value: Value): Value { return this.one(ops.StraightThrough, [x, value]); }
  cast(x: Value, to: DType): Value { return x.dtype === to ? x : this.one(ops.Cast, [x], { to }); }
  /** float32 rounded to fp16/bf16 by a Cast pair, forward only (ops/cast-round.ts). */
  castRound(x: Value, format: 'fp16' | 'bf16'): Value { return this.one(ops.CastRound, [x], { format }); }

  // Linear algebra and layout.
  matmul(a: Value, b: Value): Value { return this.one(ops.MatMul, [a, b]); }
  transpose(x: Value, perm?: readonly number[]): Value {
    return this.one(ops.Transpose, [x], { perm: perm ?? x.shape.map((_, i) => x.rank - 1 - i) });
  }
  /** `shape` as numbers (0 copies a dim, -1 is inferred) or an int64 tensor such as shapeOf(other). */
  reshape(x: Value, shape: readonly number[] | Value): Value {
    return this.one(ops.Reshape, [x, Array.isArray(shape) ? this.int64s(shape) : (shape as Value)]);
  }
  expand(x: Value, shape: readonly number[] | Value): Value {
    return this.one(ops.Expand, [x, Array.isArray(shape) ? this.int64s(shape) : (shape as Value)]);
  }
  unsqueeze(x: Value, axes: readonly number[]): Value { return this.one(ops.Unsqueeze, [x], { axes }); }
  squeeze(x: Value, axes: readonly number[]): Value { return this.one(ops.Squeeze, [x], { axes }); }
  concat(xs: readonly Value[], axis: number): Value { return this.one(ops.Concat, [...xs], { axis }); }
  slice(x: Value, s: SliceArgs): Value { return this.one(ops.Slice, [x], { ...s }); }
  /** Zero padding; pads = [begin per axis..., end per axis...]. */
  pad(x: Value, pads: readonly number[]): Value { return this.one(ops.Pad, [x], { pads }); }

  // Indexing.
  gather(data: Value, indices: Value, axis = 0): Value { return this.one(ops.Gather, [data, indices], { axis }); }
  gatherElements(data: Value, indices: Value, axis: number): Value {
    return this.one(ops.GatherElements, [data, indices], { axis });
  }
  scatterND(data: Value, indices: Value, updates: Value, reduction: 'none' | 'add' = 'none'): Value {
    return this.one(ops.ScatterND, [data, indices, updates], { reduction });
  }
  scatterElements(data: Value, indices: Value, updates: Value, axis: number, reduction: 'none' | 'add' = 'none'): Value {
    return this.one(ops.ScatterElements, [data, indices, updates], { axis, reduction });
  }

  // Reductions and normalisers.
  reduceSum(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.one(ops.ReduceSum, [x], { axes, keepdims: keepdims ? 1 : 0 });
  }
  reduceMean(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.one(ops.ReduceMean, [x], { axes, keepdims: keepdims ? 1 : 0 });
  }
  softmax(x: Value, axis = -1): Value { return this.one(ops.Softmax, [x], { axis }); }
  logSoftmax(x: Value, axis = -1): Value { return this.one(ops.LogSoftmax, [x], { axis }); }
}
