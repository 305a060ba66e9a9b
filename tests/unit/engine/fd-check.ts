// Shared finite-difference gradient checker: float64 graphs run in onnxruntime-node (through engine/runtime).
//
// Tolerance: central differences with eps = 1e-6 have truncation error ~eps²·|f'''| ≈ 1e-12 and
// float64 round-off ~ulp(|f|)/eps ≈ 2e-16·|f|/1e-6 ≈ 2e-10·|f|; our losses are O(1–10), so both
// are >1000× below the bar. We require, per parameter tensor,
//   max_i |analytic_i − numeric_i| / max(1, max_i |numeric_i|) ≤ 1e-6
// (relative to the tensor's largest gradient; absolute below magnitude 1 so exact zeros compare
// sensibly). A wrong rule (missing term, wrong transpose, un-reduced broadcast) errs by O(1).

import { addGradients } from '../../../src-main/engine/autodiff';
import { Graph, type Dim, type DType, type Value } from '../../../src-main/engine/ir';
import { serializeModel } from '../../../src-main/engine/onnx';
import { EngineSession, type Feed, type HostArray } from '../../../src-main/engine/runtime';

export const FD_EPS = 1e-6;
export const FD_TOL = 1e-6;

/** Deterministic uniform [0,1) numbers (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ParamOpts {
  /** Declared (possibly symbolic) shape; defaults to the concrete dims. */
  declared?: readonly Dim[];
  /** Values drawn from [lo, hi) (default [-1, 1)). */
  range?: [number, number];
  /** Keep |x| ≥ this (kinks of Relu/Max, poles of Log/Reciprocal). */
  awayFromZero?: number;
  data?: readonly number[];
}

/** Builds a test graph while recording the values fed to its inputs. */
export class FdBuilder {
  readonly g = new Graph('fd');
  readonly feeds: Record<string, Feed> = {};
  readonly params: Value[] = [];
  private readonly rand: () => number;

  constructor(seed = 1) {
    this.rand = rng(seed);
  }

  random(n: number, [lo, hi]: [number, number] = [-1, 1], away = 0): number[] {
    return Array.from({ length: n }, () => {
      let v = lo + (hi - lo) * this.rand();
      if (away > 0 && Math.abs(v) < away) v = Math.sign(v || 1) * (away + Math.abs(v));
      return v;
    });
  }

  /** A float64 graph input we differentiate with respect to. */
  param(name: string, dims: readonly number[], o: ParamOpts = {}): Value {
    const v = this.input(name, dims, o);
    this.params.push(v);
    return v;
  }

  /** A float64 graph input held constant. */
  input(name: string, dims: readonly number[], o: ParamOpts = {}): Value {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float64Array.from(o.data ?? this.random(n, o.range, o.awayFromZero));
    this.feeds[name] = { data, dims };
    return this.g.input(name, 'float64', o.declared ?? dims);
  }

  /** A non-float input (ids, masks). */
  feed(name: string, dtype: DType, dims: readonly number[], data: HostArray, declared?: readonly Dim[]): Value {
    this.feeds[name] = { data, dims, dtype };
    return this.g.input(name, dtype, declared ?? dims);
  }
}

export type BuildFn = (b: FdBuilder) => Value;

export interface FdOptions {
  seed?: number;
  eps?: number;
  tol?: number;
  /** Allow a parameter whose gradient is all zeros (otherwise that is treated as a broken test). */
  allowZeroGrad?: boolean;
}

export interface FdReport {
  /** Worst normalised error per parameter. */
  errors: Record<string, number>;
  /** Largest |numeric gradient| per parameter (shows the check was not vacuous). */
  scale: Record<string, number>;
  model: Uint8Array;
}

/** Builds loss = Σ R ⊙ out (R random, fixed) so every output element gets a distinct weight. */
export function buildLossModel(build: BuildFn, outDims: readonly number[] | null, seed: number) {
  const b = new FdBuilder(seed);
  const out = build(b);
  const g = b.g;
  let loss = out;
  if (outDims) {
    const r = b.input('fd.weights', outDims, { declared: out.shape, range: [-1, 1] });
    loss = g.mul(out, r);
    if (out.rank > 0) loss = g.reduceSum(loss, out.shape.map((_, i) => i), false);
  }
  g.output(loss, 'loss');
  return { b, g, loss };
}

/**
 * Value of a symbolic dim ('B', 'S-1', 'B*S', 'S+2') once the graph inputs' symbols are bound by the
 * fed dims; ORT only warns when a declared output shape is wrong, so we check the shape rules here.
 */
export function evalDim(d: Dim, bind: ReadonlyMap<string, number>): number {
  if (typeof d === 'number') return d;
  let total = 0;
  for (const [, sign, term] of d.matchAll(/([+-]?)([^+-]+)/g)) {
    const v = term.split('*').reduce((acc, f) => {
      const n = /^\d+$/.test(f) ? Number(f) : bind.get(f);
      if (n === undefined) throw new Error(`unbound symbol '${f}' in '${d}'`);
      return acc * n;
    }, 1);
    total += sign === '-' ? -v : v;
  }
  return total;
}

export function bindings(b: FdBuilder): Map<string, number> {
  const bind = new Map<string, number>();
  for (const v of b.g.inputs) {
    v.shape.forEach((d, i) => {
      if (typeof d === 'string') bind.set(d, b.feeds[v.name].dims[i]);
    });
  }
  return bind;
}

async function outputDims(build: BuildFn, seed: number): Promise<number[]> {
  const b = new FdBuilder(seed);
  const out = b.g.output(build(b), 'out');
  const s = await EngineSession.create(serializeModel(b.g), { intraOpThreads: 1 });
  try {
    const dims = [...(await s.run(b.feeds)).out.dims];
    const bind = bindings(b);
    const expected = out.shape.map((d) => evalDim(d, bind));
    if (expected.join() !== dims.join()) throw new Error(`shape rule says [${out.shape}] = [${expected}], ORT produced [${dims}]`);
    return dims;
  } finally {
    await s.release();
  }
}

/** The model the checker sees: forward + gradient outputs for a build function. */
export async function gradientModel(build: BuildFn, seed = 1): Promise<{ model: Uint8Array; b: FdBuilder }> {
  const dims = await outputDims(build, seed);
  const { b, g, loss } = buildLossModel(build, dims, seed);
  addGradients(g, loss, b.params);
  return { model: serializeModel(g), b };
}

/** Compares autodiff gradients with central differences; throws with details when over tolerance. */
export async function checkGradients(build: BuildFn, opts: FdOptions = {}): Promise<FdReport> {
  const seed = opts.seed ?? 1;
  const eps = opts.eps ?? FD_EPS;
  const tol = opts.tol ?? FD_TOL;
  const { model, b } = await gradientModel(build, seed);
  const s = await EngineSession.create(model, { intraOpThreads: 1 });
  const errors: Record<string, number> = {};
  const scale: Record<string, number> = {};
  try {
    const analytic = await s.run(b.feeds);
    const lossAt = async (feeds: Record<string, Feed>) => (await s.run(feeds, ['loss'])).loss.data[0] as number;
    for (const p of b.params) {
      const a = analytic[`grad.${p.name}`].data as Float64Array;
      const base = b.feeds[p.name];
      const x = Float64Array.from(base.data as Float64Array);
      let worst = 0;
      let big = 0;
      const numeric: number[] = [];
      for (let i = 0; i < x.length; i++) {
        const orig = x[i];
        x[i] = orig + eps;
        const up = await lossAt({ ...b.feeds, [p.name]: { data: Float64Array.from(x), dims: base.dims } });
        x[i] = orig - eps;
        const down = await lossAt({ ...b.feeds, [p.name]: { data: Float64Array.from(x), dims: base.dims } });
        x[i] = orig;
        numeric.push((up - down) / (2 * eps));
        big = Math.max(big, Math.abs(numeric[i]));
      }
      if (a.length !== x.length) throw new Error(`grad.${p.name}: ${a.length} elements, param has ${x.length}`);
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(a[i] - numeric[i]));
      errors[p.name] = worst / Math.max(1, big);
      scale[p.name] = big;
      if (errors[p.name] > tol || !Number.isFinite(errors[p.name])) {
        throw new Error(`grad.${p.name}: error ${errors[p.name].toExponential(2)} > ${tol}\n analytic ${Array.from(a).map((v) => v.toFixed(6))}\n numeric  ${numeric.map((v) => v.toFixed(6))}`);
      }
      if (!opts.allowZeroGrad && big < 1e-3) throw new Error(`grad.${p.name}: numeric gradient is ~0 (${big}); the case tests nothing`);
    }
  } finally {
    await s.release();
  }
  return { errors, scale, model };
}
