// The rows a training step writes to metrics.jsonl and the values it streams live: built in one place, so the file
// and the live chart cannot drift apart.
import type { TrainMetricsRow } from '../../common/train';
import type { StepAccumulator } from './step-accumulator';

export interface StepFacts {
  step: number;
  lr: number;
  gradNorm: number;
  acc: StepAccumulator;
  seconds: number;
  elapsedS: number;
  /** Epochs completed, fractional. */
  epoch: number;
  /** PLoRA: the 1-based stage. */
  stage: number | null;
  /** The loss-scaling fields (PrecisionRuntime.metricsFields). */
  scaling: { loss_scale?: number; overflow?: 0 | 1; skipped_steps?: number };
}

export function trainMetricsRow(f: StepFacts): TrainMetricsRow {
  const { acc } = f;
  return {
    step: f.step, loss: acc.countedTokens ? acc.lossSum / acc.countedTokens : 0, lr: f.lr, grad_norm: f.gradNorm, tokens: acc.inputTokens,
    trained_tokens: acc.countedTokens, tokens_per_s: acc.inputTokens / f.seconds, elapsed_s: f.elapsedS, epoch: f.epoch,
    ...(f.stage !== null ? { stage: f.stage } : {}),
    ...f.scaling,
  };
}

/** What the live run panel gets for a step: the row's essentials, the loss scale and skips as they happen, and fp8's
 * smallest per-tensor scale (live only; metrics.jsonl's rows keep their schema). */
export function liveMetricValues(row: TrainMetricsRow, fp8ScaleMin: number | null): Record<string, number> {
  return {
    loss: row.loss, lr: row.lr, grad_norm: row.grad_norm, tokens_per_s: row.tokens_per_s,
    ...(row.loss_scale !== undefined ? { loss_scale: row.loss_scale, overflow: row.overflow ?? 0, skipped_steps: row.skipped_steps ?? 0 } : {}),
    ...(fp8ScaleMin !== null ? { fp8_scale_min: fp8ScaleMin } : {}),
  };
}
