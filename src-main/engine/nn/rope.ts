// Rotary position embeddings in Hugging Face's rotate_half layout, with rope_theta and llama3 rope_scaling.
//
// Precision: HF computes inv_freq, the angles (position · inv_freq) and cos/sin in float32, even
// for bf16/fp64 models. At position p the float32 angle is off the exact one by ~p·2⁻²⁴ rad
// (~2e-3 rad at p = 32k), and the checkpoints were trained with those angles, so matching HF (our
// contract) means reproducing float32 rounding rather than being more exact: inv_freq is computed
// in JS with Math.fround after every operation, in HF's order, and the angles and cos/sin are
// computed in the graph in float32 (one product per element, like HF's [hd/2,1]@[1,S] matmul).
// In-graph (not a constant table) because S is symbolic and a table for max_position_embeddings
// (e.g. 131072 × 128 × 2 floats) would weigh ~128 MB per graph.

import type { ModelSpec } from '../../common/model-spec';
import type { Graph } from '../ir/graph';
import { tensor } from '../ir/tensor';
import type { Value } from '../ir/value';

const f = Math.fround;

/** HF's default inv_freq: 1 / base^(arange(0, dim, 2) / dim), float32. */
function defaultInvFreq(base: number, dim: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < dim; i += 2) out.push(f(1 / f(Math.pow(f(base), f(i / dim)))));
  return out;
}

/** HF _compute_llama3_parameters: long wavelengths divided by `factor`, a smooth ramp in between (float32). */
function llama3InvFreq(inv: number[], s: NonNullable<ModelSpec['ropeScaling']>): number[] {
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((v) => {
    const wavelen = f(f(1 / v) * f(2 * Math.PI)); // torch: scalar / t = t.reciprocal() * scalar
    const scaled = wavelen > lowWavelen ? f(v / f(s.factor)) : v;
    if (wavelen < highWavelen || wavelen > lowWavelen) return scaled;
    const smooth = f(f(f(f(1 / wavelen) * f(s.originalMaxPositions)) - f(s.lowFreqFactor)) / f(s.highFreqFactor - s.lowFreqFactor));
    return f(f(f(f(1 - smooth) * scaled) / f(s.factor)) + f(smooth * scaled));
  });
}

/** inv_freq [hd/2] as HF computes it (float32 values held in a float64 array). */
export function ropeInvFreq(spec: ModelSpec): number[] {
  const inv = defaultInvFreq(spec.ropeTheta, spec.headDim);
  return spec.ropeScaling ? llama3InvFreq(inv, spec.ropeScaling) : inv;
}

export interface RopeTables {
  cos: Value; // [S, hd]
  sin: Value; // [S, hd]
}

/**
 * cos/sin of positions offset..offset+S-1 (S = ids.shape[1]); ids: [B, S]. A non-zero offset is the length of a past
 * cache (prefix tuning): HF's cache_position, the int64 positions cast to float32 like HF's position_ids.
 */
export function ropeTables(g: Graph, spec: ModelSpec, ids: Value, offset = 0): RopeTables {
  const inv = ropeInvFreq(spec);
  const invFreq = g.constant(tensor('float32', [1, inv.length], inv)); // [1, hd/2]
  const steps = g.arange(ids, 1); // [S]
  const positions = offset === 0 ? steps : g.add(steps, g.scalar(offset, 'int64'));
  const pos = g.unsqueeze(g.cast(positions, 'float32'), [1]); // [S, 1]
  const freqs = g.mul(pos, invFreq); // [S, hd/2]
  const emb = g.concat([freqs, freqs], -1); // [S, hd]
  return { cos: g.cos(emb), sin: g.sin(emb) };
}

/** concat(−x2, x1) of the two halves of the last axis; x: [..., hd]. */
function rotateHalf(g: Graph, x: Value, hd: number): Value {
  const x1 = g.slice(x, { starts: [0], ends: [hd / 2], axes: [-1] });
  const x2 = g.slice(x, { starts: [hd / 2], ends: [hd], axes: [-1] });
  return g.concat([g.neg(x2), x1], -1);
}

/** x·cos + rotate_half(x)·sin; x: [B, n, S, hd], tables [S, hd] broadcast over B and n. */
export function applyRope(g: Graph, x: Value, t: RopeTables, hd: number): Value {
  return g.add(g.mul(x, t.cos), g.mul(rotateHalf(g, x, hd), t.sin));
}
