// Emulated autocast (automatic mixed precision) for the graph builders.
//
// AMP keeps fp32 master weights and casts a matmul's operands to the low format (fp16/bf16), runs the matmul with fp32
// accumulation and writes its output in the low format; norms, softmax, the loss and the optimizer stay fp32. The
// backward matmuls read and write the low format too, so every gradient that reaches a low-precision tensor is itself a
// low-precision value before the cast back to fp32. Emulated here with explicit rounding (onnxruntime drops Cast round
// trips, DESIGN §3): lowp(v) = GradRound(roundToFormat(v)) — forward rounds v, backward rounds the gradient arriving at
// the low-precision copy and passes it straight through the cast to the fp32 tensor (a StraightThrough node: autodiff
// never differentiates the rounding arithmetic, so each low-precision copy costs one gradient rounding in the backward).
// 'fp32' (the default) adds nothing, so fp32 graphs are byte-identical to graphs built without a precision.
// 'fp8' is bf16 autocast everywhere except the decoder projections, which run as fp8 linears (precision/fp8-linear.ts,
// layers.ts projection): Transformer Engine runs fp8 only in its Linear modules, attention and lm_head stay bf16.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { isInFormat, markInFormat, roundToFormat } from '../precision/emulate';

export type ComputePrecision = 'fp32' | 'fp16' | 'bf16' | 'fp8';

export const COMPUTE_PRECISIONS: readonly ComputePrecision[] = ['fp32', 'fp16', 'bf16', 'fp8'];

/** The autocast format outside the fp8 linears (bf16 for 'fp8'); undefined for fp32. */
export function autocastFormat(precision: ComputePrecision | undefined): 'fp16' | 'bf16' | undefined {
  return !precision || precision === 'fp32' ? undefined : precision === 'fp8' ? 'bf16' : precision;
}

/** v as AMP's low-precision copy of it (forward and gradient rounded); v itself for fp32 or non-float32 values. */
export function lowp(g: Graph, v: Value, computePrecision: ComputePrecision | undefined): Value {
  const precision = autocastFormat(computePrecision);
  if (!precision || v.dtype !== 'float32') return v;
  // The forward rounding of a tensor read by several matmuls (x by q/k/v and LoRA A) is built once; each use keeps its
  // own GradRound, as each autocast cast has its own backward. A value already in the format (a matmul output fed to
  // the next matmul, a weight cast from a bf16 checkpoint) is its own rounding, rounding being idempotent.
  let rounded = isInFormat(v, precision) ? v : ROUNDED.get(v);
  if (!rounded) ROUNDED.set(v, (rounded = roundToFormat(g, v, precision)));
  const copy = g.gradRound(rounded, precision);
  markInFormat(copy, precision);
  return copy;
}

/** Forward roundings already built, per value (a graph has one precision, so the value is the key). */
const ROUNDED = new WeakMap<Value, Value>();

/**
 * Graphs whose fp16 autocast matmuls run on the provider's own kernels (BuildOptions.nativeLowPrecision): the
 * operands, already rounded, are cast to float16 (exactly), the MatMul node is a float16 node,
 * and its output is cast back to float32. Autodiff's Cast rule casts the gradient to the low type, so the backward
 * matmuls run in it too. Everything else keeps the emulated rounding (precision/emulate.ts, flush-safe on a GPU), so a
 * native graph differs from the emulated one only in how the matmul kernels accumulate.
 */
const NATIVE = new WeakSet<Graph>();

export function setNativeLowPrecision(g: Graph): void {
  NATIVE.add(g);
}

/**
 * The matmul of two operands that are already low-precision copies (lowp): a float32 MatMul under emulation, a
 * float16 MatMul between exact casts in a native fp16 graph. The caller rounds the output (lowp), as AMP writes it.
 */
export function lowpMatmul(g: Graph, a: Value, b: Value, computePrecision: ComputePrecision | undefined): Value {
  const precision = autocastFormat(computePrecision);
  // bf16 stays emulated: the IR has no bfloat16 dtype, and of the providers this build runs only CUDA (not bundled)
  // has bfloat16 MatMul kernels; WebGPU has none.
  if (precision !== 'fp16' || !NATIVE.has(g) || a.dtype !== 'float32' || b.dtype !== 'float32') return g.matmul(a, b);
  const y = g.cast(g.matmul(g.cast(a, 'float16'), g.cast(b, 'float16')), 'float32');
  // Every element is a value of the format (or ±inf/NaN), so the caller's lowp adds no forward rounding.
  markInFormat(y, precision);
  return y;
}

/** An autocast matmul: operands and output in the low format, accumulation in fp32. */
export function amatmul(g: Graph, a: Value, b: Value, precision: ComputePrecision | undefined): Value {
  if (!precision || precision === 'fp32') return g.matmul(a, b);
  return lowp(g, lowpMatmul(g, lowp(g, a, precision), lowp(g, b, precision), precision), precision);
}
