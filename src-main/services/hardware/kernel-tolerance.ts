// The numbers of a kernel probe (pure): inputs no probed format holds exactly, the exact reference on the rounded inputs,
// and the format's tolerance around it.
import { BF16, FP16, FP8_E4M3, FP8_E5M2, type FloatFormat } from '../../common/precision/formats';
import type { ProbeDType, ProbeOp } from '../../engine/runtime/kernel-probe';
import type { KernelCheck } from '../../common/hardware';

export type ProbedFormat = KernelCheck['format'];

export const FORMATS: Record<ProbedFormat, { format: FloatFormat; dtype: ProbeDType }> = {
  fp16: { format: FP16, dtype: 'float16' },
  bf16: { format: BF16, dtype: 'bfloat16' },
  fp8e4m3: { format: FP8_E4M3, dtype: 'Float8E4M3FN' },
  fp8e5m2: { format: FP8_E5M2, dtype: 'Float8E5M2' },
};

/** Side of the square probe tensors. */
export const PROBE_N = 4;

/**
 * Values in about ±1.7 that no probed format holds exactly: a kernel that really computes in the format returns its
 * rounded values, while an fp32 computation (casts dropped or inserted by ORT) shows bits the format does not have.
 */
export function probeInputs(n = PROBE_N): { a: Float32Array; b: Float32Array } {
  const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(1.3 * i + 0.7) * 1.7);
  const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(0.9 * i + 0.2) * 1.3);
  return { a, b };
}

export interface Reference {
  /** The exact result on the inputs rounded to the format, in doubles. */
  value: number[];
  /** Per element, the magnitude its rounding error scales with (Σ|a||b| for a MatMul). */
  scale: number[];
  /** Error allowed, in units of the format's epsilon times scale. */
  ulps: number;
}

export function reference(op: ProbeOp, format: ProbedFormat, a: Float32Array, b: Float32Array, n = PROBE_N): Reference {
  const f = FORMATS[format].format;
  const ra = Array.from(a, (x) => f.round(x));
  const rb = Array.from(b, (x) => f.round(x));
  switch (op) {
    case 'MatMul': {
      const value: number[] = [];
      const scale: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          let m = 0;
          for (let k = 0; k < n; k++) {
            s += ra[i * n + k] * rb[k * n + j];
            m += Math.abs(ra[i * n + k] * rb[k * n + j]);
          }
          value.push(s);
          scale.push(m);
        }
      }
      // The classic GEMM bound |fl(AB) − AB| ≤ γₙ|A||B|, plus the output's own rounding.
      return { value, scale, ulps: n + 1 };
    }
    case 'Add':
      return { value: ra.map((x, i) => x + rb[i]), scale: ra.map((x, i) => Math.abs(x) + Math.abs(rb[i])), ulps: 1 };
    case 'Softmax': {
      const value: number[] = [];
      for (let i = 0; i < n; i++) {
        const row = ra.slice(i * n, (i + 1) * n);
        const max = Math.max(...row);
        const e = row.map((x) => Math.exp(x - max));
        const sum = e.reduce((s, x) => s + x, 0);
        value.push(...e.map((x) => x / sum));
      }
      // exp, the sum and the division each round when a kernel keeps them in the format.
      return { value, scale: value.map(Math.abs), ulps: n + 4 };
    }
    case 'Cast':
      // One ulp rather than half: a cast that truncates instead of rounding to nearest still is a kernel.
      return { value: ra, scale: ra.map(Math.abs), ulps: 1 };
  }
}

export interface Comparison {
  ok: boolean;
  /** The element furthest outside (or closest to) its tolerance. */
  worst: { index: number; actual: number; expected: number; tolerance: number };
}

/** actual vs the reference within ulps·ε·scale (+ the smallest subnormal, so zeros and flushes compare). */
export function compareWithinTolerance(actual: ArrayLike<number>, ref: Reference, format: ProbedFormat): Comparison {
  const f = FORMATS[format].format;
  let worst = { index: -1, actual: NaN, expected: NaN, tolerance: 0 };
  let worstRatio = -1;
  if (actual.length !== ref.value.length) return { ok: false, worst };
  for (let i = 0; i < ref.value.length; i++) {
    const tolerance = ref.ulps * f.epsilon * ref.scale[i] + f.minSubnormal;
    const err = Math.abs(actual[i] - ref.value[i]);
    const ratio = Number.isNaN(err) ? Infinity : err / tolerance;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: i, actual: actual[i], expected: ref.value[i], tolerance };
    }
  }
  return { ok: worstRatio <= 1, worst };
}

/** Whether every value is a number of the format: a low-precision output cast to fp32 always is. */
export function allInFormat(values: ArrayLike<number>, format: ProbedFormat): boolean {
  const f = FORMATS[format].format;
  return Array.from(values).every((v) => Number.isFinite(v) && f.round(v) === v);
}
