// How far a low-precision training run is from its PyTorch reference, and the bound it must stay within, derived from
// the format's unit roundoff and the step count rather than from one machine's observation.
//
// Why a bound is needed at all: the reference (autocast_reference.py) rounds at the engine's points and computes every
// matmul exactly (float64, rounded once to float32), so it is one trajectory on every CPU; the engine's matmuls are
// MLAS's float32 sums, whose order depends on the CPU's kernels. Where such a sum lies within fp32 noise of a rounding
// boundary of the low-precision format, the two sides round it to neighbouring values: one unit in the last place,
// 2u relative for unit roundoff u. Such flips are rare and independent between steps, each moves the step's update on
// a few elements, and its effect on the mean loss over all tokens is at most u relative. Modelled as a random walk:
//   loss at step t:     |L_engine − L_ref| / L_ref ≤ u · √t
//   final adapter:      ‖P_engine − P_ref‖₂ / ‖P_ref − P_init‖₂ ≤ 4u · √T
// The adapter bound is relative to how far training moved it: AdamW's normalised update g/√v at most doubles a relative
// change of its gradient (2u → 4u). fp8 (trajectory through bf16, projections in E4M3 with E5M2 gradients) takes bf16's
// u for the loss and E4M3's (2^-4) for the adapter, whose updates the fp8 roundings move. Each test also runs a control
// — the same reference with one bookkeeping slip (the learning-rate schedule one update ahead) — and asserts that the
// control breaks the bound, so the bound is shown able to fail.
import { expect } from 'vitest';

/** Unit roundoff 2^-(mantissa bits + 1) of the formats that round the loss's path and the adapter's updates. */
export interface Roundoff {
  loss: number;
  adapter: number;
}

export const UNIT_ROUNDOFF: Record<'bf16' | 'fp16' | 'fp8', Roundoff> = {
  bf16: { loss: 2 ** -8, adapter: 2 ** -8 },
  fp16: { loss: 2 ** -11, adapter: 2 ** -11 },
  fp8: { loss: 2 ** -8, adapter: 2 ** -4 },
};

export interface Trajectory {
  losses: number[];
  params: Record<string, ArrayLike<number>>;
}

export interface TrajectoryErrors {
  /** Relative loss error at each step. */
  losses: number[];
  /** ‖P − P_ref‖₂ / ‖P_ref − P_init‖₂ over all adapter tensors. */
  update: number;
}

export function trajectoryErrors(run: Trajectory, ref: Trajectory, init: Map<string, { data: ArrayLike<number> }>): TrajectoryErrors {
  let diff = 0;
  let moved = 0;
  for (const [name, theirs] of Object.entries(ref.params)) {
    const start = init.get(name)!.data;
    const ours = run.params[name];
    for (let i = 0; i < theirs.length; i++) {
      diff += (ours[i] - theirs[i]) ** 2;
      moved += (theirs[i] - start[i]) ** 2;
    }
  }
  const losses = ref.losses.map((l, i) => Math.abs(run.losses[i] - l) / Math.abs(l));
  return { losses, update: Math.sqrt(diff / moved) };
}

/** How many times over its bound a run is (≤ 1 passes): the worst of every step's loss and the final adapter. */
export function overBound(e: TrajectoryErrors, u: Roundoff): number {
  const loss = Math.max(...e.losses.map((err, i) => err / (u.loss * Math.sqrt(i + 1))));
  return Math.max(loss, e.update / (4 * u.adapter * Math.sqrt(e.losses.length)));
}

/** The engine within the bound, and the slipped control outside it. */
export function expectWithinRoundoff(engine: TrajectoryErrors, control: TrajectoryErrors, u: Roundoff): void {
  expect(overBound(engine, u)).toBeLessThanOrEqual(1);
  expect(overBound(control, u)).toBeGreaterThan(1);
}

export function describeErrors(e: TrajectoryErrors, u: Roundoff): string {
  return `loss ≤ ${Math.max(...e.losses).toExponential(2)}, adapter ${e.update.toExponential(2)} (${overBound(e, u).toFixed(3)}× the bound)`;
}
