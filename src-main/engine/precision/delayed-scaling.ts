// fp8 delayed scaling on the host: per scaled tensor an amax history and a scale, as NVIDIA Transformer Engine's
// DelayedScaling recipe keeps them (transformer_engine.common.recipe.DelayedScaling, amax_compute_algo 'max', and the
// scale update of transformer_engine/common/recipe/delayed_scaling.cu):
//   scaled_max = fp8_max · 2^-margin;  amax = max over the last amaxHistoryLen recorded amaxes (the current one included);
//   scale = scaled_max / amax when amax is finite and > 0, else the previous scale; an infinite quotient → FLT_MAX.
// TE's current kernel does not round the scale to a power of two (TE ≤ 0.x did: 2^(floor(log2(max/amax)) − margin)),
// so neither does this; every step is float32 arithmetic (Math.fround), as TE's float kernel computes it.
// A fresh tensor has scale 1 and an empty history (TE: zeros, and a zero amax keeps the scale), so step 1 uses 1.
// Differences from TE, on purpose: one history entry per optimizer step (the max over its micro-batches, TE records one
// per fp8_autocast forward), and a default window of 16 steps instead of TE's 1024: fine-tuning runs are hundreds of
// steps, not pre-training's hundreds of thousands, and a 1024-step window would pin each scale to the largest amax of
// the whole run (the first steps' gradients are typically the largest), wasting E5M2/E4M3 range for the rest of it.

/** The fp8 formats of TE's HYBRID recipe: E4M3 (FN) for forward tensors, E5M2 for gradients. */
export const FP8_MAX = { fp8e4m3: 448, fp8e5m2: 57344 } as const;
export type Fp8FormatId = keyof typeof FP8_MAX;

export interface Fp8Recipe {
  /** Scale headroom in powers of two (TE's margin, default 0). */
  margin: number;
  /** Steps of amax history the scale looks back over (TE default 1024; ours 16, see above). */
  amaxHistoryLen: number;
}

export const FP8_RECIPE_DEFAULTS: Fp8Recipe = { margin: 0, amaxHistoryLen: 16 };

const FLT_MAX = 3.4028234663852886e38;

/** TE's scale update for one tensor (delayed_scaling.cu): float32 throughout. */
export function fp8Scale(amax: number, format: Fp8FormatId, margin: number, previous: number): number {
  const scaledMax = Math.fround(FP8_MAX[format] * Math.fround(2 ** -margin));
  if (!(Number.isFinite(amax) && amax > 0)) return previous;
  const s = Math.fround(scaledMax / Math.fround(amax));
  return Number.isFinite(s) ? s : FLT_MAX;
}

/** The amax a window yields: its max; any non-finite entry (stored as null) makes it non-finite, as torch.max/fmaxf would. */
export function windowAmax(history: readonly (number | null)[]): number {
  let m = 0;
  for (const a of history) {
    if (a === null || !Number.isFinite(a)) return Number.NaN;
    m = Math.max(m, a);
  }
  return m;
}

/** The graph's scale input of a tensor, and the amax output that reports it (precision/fp8-linear.ts names them). */
export const FP8_SCALE_PREFIX = 'fp8_scale.';
export const FP8_AMAX_PREFIX = 'fp8_amax.';
export const amaxOutputOf = (scaleInput: string): string => FP8_AMAX_PREFIX + scaleInput.slice(FP8_SCALE_PREFIX.length);
/** `.dy` tensors are gradients (E5M2); `.x` and `.w` forward tensors (E4M3). */
export const fp8FormatOf = (name: string): Fp8FormatId => (name.endsWith('.dy') ? 'fp8e5m2' : 'fp8e4m3');

/** What a checkpoint keeps (TrainerState.fp8): per scale input its scale and its history, oldest first; null = non-finite. */
export interface Fp8ScalingState {
  scales: Record<string, number>;
  amaxHistory: Record<string, (number | null)[]>;
}

export class DelayedScaling {
  private readonly scales = new Map<string, number>();
  private readonly history = new Map<string, (number | null)[]>();

  constructor(readonly recipe: Fp8Recipe, readonly scaleInputs: readonly string[], state?: Fp8ScalingState) {
    if (!Number.isInteger(recipe.amaxHistoryLen) || recipe.amaxHistoryLen < 1) throw new Error('fp8 amaxHistoryLen must be an integer ≥ 1');
    if (!Number.isFinite(recipe.margin)) throw new Error('fp8 margin must be a finite number');
    for (const name of scaleInputs) {
      this.scales.set(name, state?.scales[name] ?? 1);
      this.history.set(name, [...(state?.amaxHistory[name] ?? [])]);
    }
  }

  /** The scale each tensor uses in the coming step. */
  scale(name: string): number {
    return this.scales.get(name) ?? 1;
  }

  /**
   * Records one step's amaxes (scale-input name → amax; a tensor without one, e.g. the gradient of a projection no
   * trainable tensor lies behind, records nothing and keeps its scale) and computes the next step's scales.
   */
  record(amaxes: ReadonlyMap<string, number>): void {
    for (const [name, amax] of amaxes) {
      const h = this.history.get(name);
      if (!h) continue;
      h.push(Number.isFinite(amax) ? Math.fround(amax) : null);
      if (h.length > this.recipe.amaxHistoryLen) h.splice(0, h.length - this.recipe.amaxHistoryLen);
      this.scales.set(name, fp8Scale(windowAmax(h), fp8FormatOf(name), this.recipe.margin, this.scale(name)));
    }
  }

  /** The smallest scale among the tensors with an amax history (a metric); 1 before the first record. */
  minScale(): number {
    const used = [...this.scales].filter(([name]) => (this.history.get(name)?.length ?? 0) > 0).map(([, s]) => s);
    return used.length ? Math.min(...used) : 1;
  }

  state(): Fp8ScalingState {
    return { scales: Object.fromEntries(this.scales), amaxHistory: Object.fromEntries([...this.history].map(([k, v]) => [k, [...v]])) };
  }
}
