// Host-side loss scaler: PyTorch GradScaler's dynamic schedule, a static scale, or none; the graph reports overflow.
//
// Dynamic semantics are those of torch.cuda.amp.GradScaler (torch 1.13: grad_scaler.py's step/update and the
// `_amp_update_scale_` kernel in aten/src/ATen/native/cuda/AmpKernels.cu):
//   found inf/NaN → scale ← scale · backoff, tracker ← 0, and the optimizer step is skipped;
//   otherwise     → tracker + 1; on reaching growthInterval, scale ← scale · growth only if that is finite, tracker ← 0.
// The scale lives in a float32 tensor in torch, so every product is rounded to float32 here too (Math.fround): that
// matters only at the ends of the range (growth past 2^127 is refused; repeated backoff reaches float32 subnormals).
// Static mode keeps S fixed but still skips non-finite steps (as DeepSpeed's static scaler does), because applying
// inf/NaN gradients would destroy the weights; 'none' neither scales nor skips, as plain fp32 training.

export type LossScaleConfig =
  | { kind: 'dynamic'; initScale?: number; growthFactor?: number; backoffFactor?: number; growthInterval?: number }
  | { kind: 'static'; scale: number }
  | { kind: 'none' };

/** What to save in a checkpoint so a resumed run continues the same scale trajectory (torch's state_dict keys). */
export interface GradScalerState {
  scale: number;
  growthTracker: number;
}

export interface ScalerStepResult {
  /** The optimizer step must not be applied (its gradients were not finite). */
  skipped: boolean;
  /** The scale used for this step's loss. */
  usedScale: number;
  /** The scale for the next step. */
  scale: number;
}

/** Parses the CLI's `--loss-scale dynamic|none|NUMBER`. */
export function parseLossScale(arg: string): LossScaleConfig {
  if (arg === 'dynamic') return { kind: 'dynamic' };
  if (arg === 'none') return { kind: 'none' };
  const s = Number(arg);
  if (!(s > 0) || !Number.isFinite(s)) throw new Error(`--loss-scale must be dynamic, none or a positive number, not '${arg}'`);
  return { kind: 'static', scale: s };
}

export class GradScaler {
  readonly config: LossScaleConfig;
  private readonly growthFactor: number;
  private readonly backoffFactor: number;
  private readonly growthInterval: number;
  private currentScale: number;
  private tracker = 0;
  /** Metrics for the run: steps seen, steps skipped for overflow. */
  steps = 0;
  skippedSteps = 0;

  constructor(config: LossScaleConfig = { kind: 'dynamic' }) {
    this.config = config;
    const d: Extract<LossScaleConfig, { kind: 'dynamic' }> = config.kind === 'dynamic' ? config : { kind: 'dynamic' };
    // torch's defaults and its own argument checks.
    this.growthFactor = d.growthFactor ?? 2;
    this.backoffFactor = d.backoffFactor ?? 0.5;
    this.growthInterval = d.growthInterval ?? 2000;
    if (!(this.growthFactor > 1)) throw new Error('The growth factor must be > 1.0.');
    if (!(this.backoffFactor < 1)) throw new Error('The backoff factor must be < 1.0.');
    if (!Number.isInteger(this.growthInterval) || this.growthInterval < 1) throw new Error('growthInterval must be a positive integer');
    const init = config.kind === 'dynamic' ? (config.initScale ?? 2 ** 16) : config.kind === 'static' ? config.scale : 1;
    if (!(init > 0) || !Number.isFinite(init)) throw new Error(`loss scale must be a positive finite number, got ${init}`);
    this.currentScale = Math.fround(init);
  }

  /** The factor to multiply the loss by for the coming step (1 when off). */
  get scale(): number {
    return this.currentScale;
  }

  /** The factor to multiply gradients by before clipping and the update: torch's scale.double().reciprocal().float(). */
  get invScale(): number {
    return Math.fround(1 / this.currentScale);
  }

  get growthTracker(): number {
    return this.tracker;
  }

  /** Records one optimizer step given whether any gradient was inf/NaN (the graph's overflow flag). */
  update(foundInf: boolean): ScalerStepResult {
    const usedScale = this.currentScale;
    this.steps += 1;
    const skipped = foundInf && this.config.kind !== 'none';
    if (skipped) this.skippedSteps += 1;
    if (this.config.kind === 'dynamic') {
      if (foundInf) {
        this.currentScale = Math.fround(this.currentScale * this.backoffFactor);
        this.tracker = 0;
      } else if (this.tracker + 1 === this.growthInterval) {
        const grown = Math.fround(this.currentScale * this.growthFactor);
        if (Number.isFinite(grown)) this.currentScale = grown;
        this.tracker = 0;
      } else {
        this.tracker += 1;
      }
    }
    return { skipped, usedScale, scale: this.currentScale };
  }

  state(): GradScalerState {
    return { scale: this.currentScale, growthTracker: this.tracker };
  }

  load(state: GradScalerState): void {
    if (this.config.kind !== 'dynamic') return;
    this.currentScale = Math.fround(state.scale);
    this.tracker = state.growthTracker;
  }
}
