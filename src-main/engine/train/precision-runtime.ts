// One run's precision state on the host: the loss scaler (fp16's dynamic scaling, or a static scale) and fp8's delayed
// scaling — what they feed into the graphs, what they record after each update, what a checkpoint keeps of them, and
// how the run describes them.
import type { TrainJobParams } from '../../common/train';
import type { BuiltGraph } from '../nn';
import { GradScaler, type LossScaleConfig, type ScalerStepResult } from '../precision/grad-scaler';
import { amaxOutputOf, DelayedScaling, FP8_RECIPE_DEFAULTS, FP8_SCALE_PREFIX, type Fp8Recipe } from '../precision/delayed-scaling';
import type { Feed } from '../runtime';
import type { TrainerState } from './checkpoint';

/** --loss-scale: dynamic | none | a number; default dynamic for fp16 (GradScaler), none for bf16 and fp32. */
export function lossScaleConfig(p: Pick<TrainJobParams, 'precision' | 'lossScale'>): LossScaleConfig {
  const v = p.lossScale ?? (p.precision === 'fp16' ? 'dynamic' : 'none');
  return typeof v === 'number' ? { kind: 'static', scale: v } : { kind: v };
}

/** fp8's delayed-scaling recipe: the job's keys over the defaults. */
export function fp8Recipe(p: Pick<TrainJobParams, 'fp8'>): Fp8Recipe {
  return { ...FP8_RECIPE_DEFAULTS, ...p.fp8 };
}

/** Each step's amaxes, the max over its micro-batches (one history entry per optimizer step, delayed-scaling.ts). */
export class StepAmax {
  readonly values = new Map<string, number>();
  constructor(private readonly scaleInputs: readonly string[]) {}
  add(out: Record<string, { data: unknown }>): void {
    for (const name of this.scaleInputs) {
      const t = out[amaxOutputOf(name)];
      if (!t) continue; // a gradient amax exists only where the backward reaches the layer
      const a = (t.data as Float32Array)[0];
      const prev = this.values.get(name);
      // A NaN stays NaN (non-finite keeps the scale), as TE's amax reduction propagates it.
      this.values.set(name, prev === undefined ? a : Number.isNaN(prev) || Number.isNaN(a) ? Number.NaN : Math.max(prev, a));
    }
  }
}

const scalar = (v: number): Feed => ({ data: Float32Array.of(v), dims: [] });

export class PrecisionRuntime {
  readonly precision: NonNullable<TrainJobParams['precision']>;
  readonly scaleConfig: LossScaleConfig;
  readonly scaler: GradScaler | null;
  private fp8: DelayedScaling | null = null;

  constructor(private readonly params: TrainJobParams) {
    this.precision = params.precision ?? 'fp32';
    this.scaleConfig = lossScaleConfig(params);
    this.scaler = this.scaleConfig.kind === 'none' ? null : new GradScaler(this.scaleConfig);
  }

  /** Continues the checkpoint's scaler and fp8 state; fp8's scaled tensors are the train graph's scale inputs. */
  attach(built: BuiltGraph, state: TrainerState): void {
    if (this.scaler && state.scaler) {
      this.scaler.load(state.scaler);
      this.scaler.skippedSteps = state.scaler.skippedSteps;
    }
    const scaleInputs = built.graph.inputs.map((v) => v.name).filter((n) => n.startsWith(FP8_SCALE_PREFIX));
    if (this.precision === 'fp8') this.fp8 = new DelayedScaling(fp8Recipe(this.params), scaleInputs, state.fp8);
  }

  /** Lines for the run's log. */
  describe(): string[] {
    const { params, precision, scaler } = this;
    const lines: string[] = [];
    const how = params.nativePrecision && precision === 'fp16' ? `matmuls on ${params.provider ?? 'cpu'}'s float16 kernels, the rest emulated` : 'emulated';
    if (precision !== 'fp32' || scaler) lines.push(`precision ${precision} (${how}), loss scale ${scaler ? `${this.scaleConfig.kind} from ${scaler.scale}` : 'none'}`);
    if (params.provider && params.provider !== 'cpu') lines.push(`execution provider ${params.provider} (nodes it has no kernel for run on the CPU)`);
    if (precision === 'fp8') {
      const r = fp8Recipe(params);
      lines.push(`fp8 delayed scaling: E4M3 forward, E5M2 gradients, margin ${r.margin}, amax history ${r.amaxHistoryLen} steps`);
    }
    return lines;
  }

  /** fp8's per-tensor scales (train and eval graphs). */
  scaleFeeds(): Record<string, Feed> {
    const fp8 = this.fp8;
    return fp8 ? Object.fromEntries(fp8.scaleInputs.map((n) => [n, scalar(fp8.scale(n))])) : {};
  }

  /** The train graph's precision inputs: the loss scale and fp8's scales. */
  trainFeeds(built: BuiltGraph): Record<string, Feed> {
    return { ...(this.scaler && built.lossScale ? { [built.lossScale]: scalar(this.scaler.scale) } : {}), ...this.scaleFeeds() };
  }

  /** The update graph's loss scale, when the run scales. */
  updateScalars(): { lossScale?: number } {
    return this.scaler ? { lossScale: this.scaler.scale } : {};
  }

  newStepAmax(): StepAmax | null {
    return this.fp8 ? new StepAmax(this.fp8.scaleInputs) : null;
  }

  /**
   * After an update: the scaler backs off (dynamic) and counts a skip on overflow; fp8 records the step's amaxes.
   * Returns the scaler's verdict and the smallest fp8 scale the step used.
   */
  afterUpdate(foundInf: boolean, amax: StepAmax | null): { scaled: ScalerStepResult | null; fp8ScaleMin: number | null } {
    const scaled = this.scaler ? this.scaler.update(foundInf) : null;
    const fp8ScaleMin = this.fp8 ? this.fp8.minScale() : null; // the scales this step used
    if (this.fp8 && amax) this.fp8.record(amax.values);
    return { scaled, fp8ScaleMin };
  }

  /** What the trainer state carries after every step (fp8's histories). */
  stepState(): Pick<TrainerState, 'fp8'> {
    return this.fp8 ? { fp8: this.fp8.state() } : {};
  }

  /** What a checkpoint adds to the trainer state (the scaler). */
  checkpointState(): Pick<TrainerState, 'scaler'> {
    const s = this.scaler;
    return s ? { scaler: { ...s.state(), skippedSteps: s.skippedSteps } } : {};
  }

  /** A metrics row's loss-scaling fields (absent without a scaler). */
  metricsFields(scaled: ScalerStepResult | null): { loss_scale?: number; overflow?: 0 | 1; skipped_steps?: number } {
    return this.scaler && scaled ? { loss_scale: scaled.usedScale, overflow: scaled.skipped ? 1 : 0, skipped_steps: this.scaler.skippedSteps } : {};
  }
}
