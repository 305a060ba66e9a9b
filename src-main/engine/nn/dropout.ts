// LoRA dropout masks computed inside the graph: a counter-based int64 hash of (seed, micro-batch, module, b, s, k).
//
// Why a hash: the mask must be reproducible (same seed and data order → same numbers, a resumed run continues the
// same trajectory) and cheap to feed. Masks fed from JS would be hundreds of MB per step on real models, and ONNX
// RandomUniform's seed is a fixed attribute whose sequence restarts with every session. So every mask bit is a pure
// function of two scalar int64 inputs (the run seed and a global micro-batch counter, fed per run() call), the
// module's index (a build-time constant) and the element's position (b, s, k) — not of the batch's shape, so the
// mask of a token does not change with the padding of its batch.
//
// Only opset-17 int64 ops the CPU provider has (Mul, Add, Mod, Div, Less; no bitwise ops before opset 18), every
// intermediate kept below 2^63 so nothing relies on overflow:
//   r(v) = ((((v·48271) mod (2³¹−1)) + K)² mod 2⁴⁷) div 2¹⁷        [0, 2⁴⁷) → [0, 2³⁰)
//   The Lehmer (MINSTD) step scatters consecutive inputs, squaring is the non-linearity (middle-square), the
//   mod/div keep the well-mixed middle bits 17..46 of a ≥ 58-bit square. S = r∘r.
// Per module: a row key R[b,s] = S(S(base + cR + b) + s) and a column key C[k] = S(base + cC + k) + K on small
// tensors, where base = S(...(seed, counter)) and cR, cC are per-module constants. The full-size part is two cheap
// rounds on v = R + C (∈ [K, 2³¹+K)): v₁ = (v² mod 2⁴⁷) div 2¹⁷, z = (v₁·v) mod 2³⁶, dropped iff z < round(p·2³⁶).
// A single square of R + C would let two rows whose keys differ by a few units share most of their mask; the second
// round removes that (checked at key distance 1). Statistics: tests/unit/engine/nn/dropout-stats.test.ts.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';

export const DROPOUT_SEED_INPUT = 'lora_dropout_seed';
export const DROPOUT_STEP_INPUT = 'lora_dropout_step';
/** Debug outputs (BuildOptions.dropoutMasks): `lora_dropout_drop.<module>`, bool [B, S, in], true where dropped. */
export const DROPOUT_MASK_PREFIX = 'lora_dropout_drop.';

// K is not a power of two so that r(0) ≠ 0 (K² mod 2⁴⁷ would vanish for K = 2²⁹); K < 2³⁰ keeps (v+K)² < 2⁶³.
export const HASH = { K: 625341585, A: 48271, P: 2147483647, M47: 2 ** 47, D17: 2 ** 17, M30: 2 ** 30, M36: 2 ** 36 } as const;

/** The hash round on plain JS values (build-time constants); mirrors `DropoutMasks.round` exactly. */
function roundJs(v: bigint): bigint {
  const w = ((v * BigInt(HASH.A)) % BigInt(HASH.P)) + BigInt(HASH.K);
  return ((w * w) % BigInt(HASH.M47)) / BigInt(HASH.D17);
}

/** Per-module constants [cR, cC] (< 2³⁰): distinct hashed offsets, so modules sharing an input get unrelated masks. */
export function moduleHashKeys(index: number): [number, number] {
  const mix = (v: number) => Number(roundJs(roundJs(BigInt(v))));
  return [mix(2 * index + 1), mix(2 * index + 2)];
}

/** Integer threshold: an element is dropped iff z < T, z uniform on [0, 2³⁶), so P(drop) = T / 2³⁶ (|error| ≤ 2⁻³⁷). */
export function dropThreshold(p: number): number {
  return Math.round(p * HASH.M36);
}

export class DropoutMasks {
  private base: Value | null = null;
  private readonly seed: Value;
  private readonly step: Value;

  /** Declares the two scalar int64 inputs; the key nodes come with the first mask. */
  constructor(private readonly g: Graph, readonly p: number) {
    if (!(p > 0 && p < 1)) throw new Error(`LoRA dropout must be in (0, 1) here, got ${p}`);
    this.seed = g.input(DROPOUT_SEED_INPUT, 'int64', []);
    this.step = g.input(DROPOUT_STEP_INPUT, 'int64', []);
  }

  private c(v: number): Value {
    return this.g.scalar(v, 'int64');
  }

  /** One hash round; v must be in [0, 2⁴⁷) so v·48271 < 2⁶³. */
  private round(v: Value): Value {
    const { g } = this;
    const w = g.add(g.mod(g.mul(v, this.c(HASH.A)), this.c(HASH.P)), this.c(HASH.K));
    return g.div(g.mod(g.mul(w, w), this.c(HASH.M47)), this.c(HASH.D17));
  }

  private mix(v: Value): Value {
    return this.round(this.round(v));
  }

  /** base = hash of (seed, counter), both split into 30-bit halves so any int64 value is used whole; built once. */
  private key(): Value {
    if (this.base) return this.base;
    const { g, seed, step } = this;
    const m30 = this.c(HASH.M30);
    // Mod with a positive divisor is non-negative, so negative seeds are fine too.
    const lo = (v: Value) => g.mod(v, m30);
    const hi = (v: Value) => g.mod(g.div(v, m30), m30);
    let h = this.mix(lo(seed));
    h = this.mix(g.add(h, hi(seed)));
    h = this.mix(g.add(h, lo(step)));
    this.base = this.mix(g.add(h, hi(step)));
    return this.base;
  }

  /** bool [B, S, in], true where x's element is dropped for module number `moduleIndex`. */
  drop(x: Value, moduleIndex: number): Value {
    const { g } = this;
    if (x.rank !== 3) throw new Error(`LoRA dropout expects a [B, S, in] input, got ${x}`);
    const [cR, cC] = moduleHashKeys(moduleIndex);
    const base = this.key();
    const rowB = this.mix(g.add(g.add(base, this.c(cR)), g.arange(x, 0))); // [B]
    const row = this.mix(g.add(g.unsqueeze(rowB, [1]), g.arange(x, 1))); // [B, S]
    const col = g.add(this.mix(g.add(g.add(base, this.c(cC)), g.arange(x, 2))), this.c(HASH.K)); // [in]
    // Full-size from here: 6 int64 ops and one compare per element.
    const v = g.add(g.unsqueeze(row, [2]), col); // [B, S, in], < 2³¹ + K
    const v1 = g.div(g.mod(g.mul(v, v), this.c(HASH.M47)), this.c(HASH.D17));
    const z = g.mod(g.mul(v1, v), this.c(HASH.M36));
    return g.less(z, this.c(dropThreshold(this.p)));
  }
}
