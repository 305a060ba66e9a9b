// Round a float32 tensor to fp16 / bf16 / fp8 inside the graph, bit-exact with formats.ts.
//
// Two ways. fp16, and bf16 in a CPU graph (their own overflow to ±inf): a pair of ONNX Casts, f32 → fp16/bf16 → f32
// (ops/cast-round.ts). onnxruntime 1.30's Cast kernels round exactly as formats.ts does (checked on every test value in
// emulate.test.ts), and its optimizers keep a bare Cast pair. What they do drop is the cast pair the CPU provider puts
// around an fp16 *op* it has no kernel for (DESIGN §3), so the low-precision op itself is never relied on. Measured on a
// 4-layer H 256 LoRA train graph: fp16 7,346 → 2,629 nodes, session creation 4.5 s → 0.74 s (bf16 6.3 s → 0.63 s).
// onnxruntime's allocation planner grows faster than linearly in the node count.
//
// Everything else (fp8, the other overflow modes, and bf16 in a graph for a GPU) uses plain fp32 arithmetic. opset 17 has no bitcast, so the rounding is built from IEEE fp32 Mul/Sub,
// whose own round-half-even does the work. All of it works on the signed value (round-half-even is symmetric), so no
// sign has to be split off and put back:
//   normal range    Veltkamp splitting: t = C·x, h = t − (t − x) with C = 2^s + 1, s = 24 − p, yields x rounded to
//                   p = mantissaBits + 1 significant bits, ties to even, whatever x's binade (no exponent extraction).
//                   So that C·x cannot overflow, fp16 splits at 2^-15 scale and bf16 (fp32's range) splits magnitudes
//                   above 2^64 at 2^-64 scale; powers of two rescale exactly in the normal range.
//   below minNormal the format's fixed quantum q: (x·2^-k)·2^k with q·2^-k = 2^-149 lets fp32's own gradual underflow
//                   round to a multiple of q, ties to even, and a product keeps the sign of a zero (−tiny → −0).
//                   Measured: onnxruntime's CPU kernels do not flush subnormals (no FTZ/DAZ unless a session asks);
//                   a GPU's do, so graphs for one round by an addition there (setFlushSafeRounding below).
//   which one       h where |h| ≥ minNormal, else the subnormal branch; a NaN h (C·x overflowed, or x = ±inf) fails the
//                   comparison and takes the subnormal branch, which is exact for huge and infinite x.
//   overflow        fp16 and bf16 (to inf): rescaling back overflows fp32 exactly where the format does; otherwise
//                   |r| > max → r·inf, NaN or ±max by the mode.
// 11 nodes for fp16 and 15 for bf16 this way, sharing their scalar constants graph-wide (Graph.scalar).
//
// Gradient: straight-through (identity), as AMP's casts, through a StraightThrough node, so autodiff never walks into
// the arithmetic above. `roundedValue` is that arithmetic alone, for the backward pass of GradRound (never differentiated).

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { BF16, FP16, FP8_E4M3, FP8_E5M2, type FloatFormat, type OverflowMode } from './formats';

export type EmulatedFormatId = 'fp16' | 'bf16' | 'fp8e4m3' | 'fp8e5m2';

const FORMATS: Record<EmulatedFormatId, FloatFormat> = { fp16: FP16, bf16: BF16, fp8e4m3: FP8_E4M3, fp8e5m2: FP8_E5M2 };

export function emulatedFormat(id: EmulatedFormatId): FloatFormat {
  return FORMATS[id];
}

/** bf16's Veltkamp on m·2^-64 when |m| > 2^64, so C·m stays finite (2^-64 and 2^64 scale exactly there). */
const BF16_SHIFT = 64;
/** The largest fp32 below 2^e (a subnormal step below 2^-126), so `|h| > pred` reads `|h| ≥ 2^e` and NaN fails it. */
function predPow2(e: number): number {
  const f = Float32Array.of(2 ** e);
  const u = new Uint32Array(f.buffer);
  u[0] -= 1;
  return f[0];
}

/**
 * x (float32) rounded to the nearest value of `format`, ties to even, as formats.ts `round(x, overflow)` gives it;
 * gradient straight-through. `overflow` defaults to the format's own (inf for fp16/bf16/E5M2, saturate for E4M3).
 */
export function roundToFormat(g: Graph, x: Value, id: EmulatedFormatId, overflow?: OverflowMode): Value {
  return g.straightThrough(x, roundedValue(g, x, id, overflow));
}

/** Values known to hold only numbers of the format (or ±inf/NaN), per format: rounding them again is the identity. */
const IN_FORMAT: Record<EmulatedFormatId, WeakSet<Value>> = {
  fp16: new WeakSet(), bf16: new WeakSet(), fp8e4m3: new WeakSet(), fp8e5m2: new WeakSet(),
};

/** Records that every element of v is a value of the format (a rounding's result, a cast from a bf16 checkpoint...). */
export function markInFormat(v: Value, id: EmulatedFormatId): void {
  IN_FORMAT[id].add(v);
}

/** Ops that only move elements around: their output is in a format when their (first) input is. */
const LAYOUT_OPS = new Set(['Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Expand']);

export function isInFormat(v: Value, id: EmulatedFormatId): boolean {
  if (IN_FORMAT[id].has(v)) return true;
  const p = v.producer;
  return !!p && LAYOUT_OPS.has(p.op.name) && isInFormat(p.inputs[0], id);
}

/**
 * The rounding arithmetic of roundToFormat without its gradient rule: forward only (its symbolic derivative is junk).
 * Rounding is idempotent, so a value already in the format comes back as itself (no nodes) under the default overflow
 * mode — e.g. a gradient that GradRound already rounded and that reaches the next GradRound unchanged.
 */
export function roundedValue(g: Graph, x: Value, id: EmulatedFormatId, overflow?: OverflowMode): Value {
  const F = FORMATS[id];
  const mode = overflow ?? F.defaultOverflow;
  if (!F.overflowModes.includes(mode)) throw new Error(`${F.name} has no '${mode}' overflow mode`);
  if (mode !== F.defaultOverflow) return roundArithmetic(g, x, F, mode);
  if (isInFormat(x, id)) return x;
  // onnxruntime's own Cast kernels round exactly so (ops/cast-round.ts), in 2 nodes instead of 11 or 15: fp16 on the
  // CPU and on WebGPU (0 mismatches over 258,563 values on an H200, fp16 subnormals included), bf16 on the CPU only
  // (WebGPU has no bf16 kernel, so a bf16 Cast would bounce every tensor to the CPU and back).
  const viaCast = (id === 'fp16' || (id === 'bf16' && !FLUSH_SAFE.has(g))) && x.dtype === 'float32';
  const r = viaCast ? g.castRound(x, id) : roundArithmetic(g, x, F, mode);
  markInFormat(r, id);
  return r;
}

/**
 * Graphs for devices that flush fp32 subnormals to zero. GPU shaders may (WGSL allows it), and measured on an H200
 * through onnxruntime's WebGPU provider over Vulkan they do: the underflow trick below rounded 10,492 of 267,518 test
 * values wrongly for fp16 there (every fp16 subnormal became 0), 0 on the CPU (scripts/gpu-check/webgpu-check.ts).
 * Their subnormal branch rounds by an addition instead (subnormalByAddition): 4 more nodes, so CPU graphs keep the
 * cheaper one. Set by the graph builders for a provider other than the CPU (BuildOptions.flushSafeRounding).
 */
const FLUSH_SAFE = new WeakSet<Graph>();

export function setFlushSafeRounding(g: Graph): void {
  FLUSH_SAFE.add(g);
}

/** Below minNormal, by fp32's own gradual underflow: (x·2^-k)·2^k with q·2^-k = 2^-149 (q the format's quantum). */
function subnormalByUnderflow(g: Graph, x: Value, F: FloatFormat): Value {
  const c = (v: number): Value => g.scalar(v, 'float32');
  // 2^k beyond fp32's range (fp8) is applied in two exact halves.
  const k = Math.log2(F.minSubnormal) + 149;
  const sub = g.mul(x, c(2 ** -k));
  return k <= 127 ? g.mul(sub, c(2 ** k)) : g.mul(g.mul(sub, c(2 ** Math.floor(k / 2))), c(2 ** Math.ceil(k / 2)));
}

/**
 * Below minNormal without fp32 subnormals: (x + M) − M with M = 1.5·2^23·q. For |x| < minNormal the sum lies in M's
 * binade, whose ulp is q, so fp32's round-half-even puts x on a multiple of q (M/q is even, so "even" carries over),
 * and the subtraction is exact. A cancellation gives +0 whatever x's sign, so a zero result takes x·0 (x's sign) as
 * the underflow trick gives it. M is a normal fp32 for every format (bf16: 1.5·2^-110).
 */
function subnormalByAddition(g: Graph, x: Value, F: FloatFormat): Value {
  const c = (v: number): Value => g.scalar(v, 'float32');
  const M = c(1.5 * 2 ** 23 * F.minSubnormal);
  const r = g.sub(g.add(x, M), M);
  // x·0 in Where's false branch: onnxruntime's CPU Where turns a −0 taken from its true branch into +0 (measured).
  return g.where(g.greater(g.abs(r), c(0)), r, g.mul(x, c(0)));
}

function roundArithmetic(g: Graph, x: Value, F: FloatFormat, mode: OverflowMode): Value {
  // The constants below (s = 24 − p, 2^-149) are tied to fp32's 24-bit significand.
  if (x.dtype !== 'float32') throw new Error(`roundToFormat: ${x} must be float32`);
  const c = (v: number): Value => g.scalar(v, 'float32');
  const wide = F === BF16;

  // Normal range: Veltkamp splitting (bf16: at 2^-64 scale above 2^64).
  const C = c(2 ** (24 - (F.mantissaBits + 1)) + 1); // 2^s + 1
  const veltkamp = (v: Value): Value => {
    const t = g.mul(v, C);
    return g.sub(t, g.sub(t, v));
  };
  // fp16 (overflow to inf): Veltkamp at 2^-(e−1) scale, where 2^e = max + top ulp, so C·x stays finite even at fp32's
  // max, then back up in two exact steps of which the first overflows fp32 exactly where the rounded value exceeds
  // max: (h·2^127)·2^(e−128) is h or ±inf, and no separate overflow test is needed.
  const s = 24 - (F.mantissaBits + 1);
  const e = Math.log2(F.max + F.resolutionAt(F.max));
  const scaledInf = !wide && mode === 'inf' && Number.isInteger(e) && e - 1 > s && Math.log2(F.minNormal) - (e - 1) >= -126;
  let h: Value;
  if (wide) {
    const large = g.greater(g.abs(x), c(2 ** BF16_SHIFT));
    const down = g.where(large, c(2 ** -BF16_SHIFT), c(1));
    const up = g.where(large, c(2 ** BF16_SHIFT), c(1));
    h = g.mul(veltkamp(g.mul(x, down)), up);
  } else if (scaledInf) {
    h = g.mul(g.mul(veltkamp(g.mul(x, c(2 ** (1 - e)))), c(2 ** 127)), c(2 ** (e - 128)));
  } else {
    h = veltkamp(x);
  }

  const sub = FLUSH_SAFE.has(g) ? subnormalByAddition(g, x, F) : subnormalByUnderflow(g, x, F);
  const rounded = g.where(g.greater(g.abs(h), c(predPow2(Math.log2(F.minNormal)))), h, sub);

  // Overflow: rounding to nearest already put the threshold at max + ulp/2.
  // Every branch ends in a Where, never in a Mul by a constant: onnxruntime (extended level) folds such a Mul into the
  // MatMul the rounded value feeds (MatMulScaleFusion), which would apply it to the matmul's result instead.
  if (mode === 'inf' && (wide || scaledInf)) return rounded;
  if (mode !== 'saturate') {
    const over = g.greater(g.abs(rounded), c(F.max));
    return g.where(over, mode === 'inf' ? g.mul(rounded, c(Infinity)) : c(NaN), rounded);
  }
  return g.where(g.greater(rounded, c(F.max)), c(F.max), g.where(g.less(rounded, c(-F.max)), c(-F.max), rounded));
}
