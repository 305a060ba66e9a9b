// The Train form's precision choice: its one-line reasons, and the run.yaml keys (precision, loss_scale) it sends.
import type { TrainStartInput } from '../../../../src-main/common/train';

export type PrecisionChoice = 'fp32' | 'bf16' | 'fp16' | 'fp8';
export type ScaleMode = 'dynamic' | 'none' | 'static';

/** A static scale to start from: torch GradScaler's initial 2^16. */
export const DEFAULT_STATIC_SCALE = 65536;

const PRECISION_WHY: Record<PrecisionChoice, string> = {
  fp32: 'fp32: every number keeps 24 significant bits and the full range; the reference the others are measured against.',
  bf16: 'bf16 keeps fp32’s 8 exponent bits, the same range (about 1e-38 to 3e38), so small gradients do not vanish and it needs no loss scaling; it keeps only 8 significant bits.',
  fp16: 'fp16 keeps 11 significant bits but only 5 exponent bits: gradients below 6e-8 (its smallest subnormal) underflow to zero, which is why it needs loss scaling.',
  fp8: 'fp8 (experimental): the projections’ matmuls read x and W in E4M3 (max 448) and gradients in E5M2, each tensor scaled from its recent maxima (delayed scaling, as Transformer Engine does); the rest runs in bf16. Needs no loss scaling.',
};

const SCALE_WHY: Record<ScaleMode, string> = {
  dynamic: 'Dynamic: the loss is multiplied by S (from 65536) so tiny gradients stay representable, divided out before the update; S halves and the step is skipped on overflow, and doubles after 2000 clean steps.',
  none: 'None: gradients under 6e-8 become zero in fp16 — kept for comparison with a scaled run.',
  static: 'Static: a fixed S; steps whose gradients overflow are still skipped.',
};

export function precisionWhy(precision: PrecisionChoice, mode: ScaleMode): { precision: string; scale: string | null } {
  return { precision: PRECISION_WHY[precision], scale: precision === 'fp16' ? SCALE_WHY[mode] : null };
}

/** The keys for train.start: none for fp32 (the default), loss_scale only for fp16 (main's default elsewhere: none). */
export function precisionInput(precision: PrecisionChoice, mode: ScaleMode, staticScale: number): Pick<TrainStartInput, 'precision' | 'loss_scale'> {
  if (precision === 'fp32') return {};
  if (precision === 'bf16' || precision === 'fp8') return { precision };
  return { precision, loss_scale: mode === 'static' ? staticScale : mode };
}

/** A static scale must be a positive finite number; the other choices are always valid. */
export const precisionValid = (precision: PrecisionChoice, mode: ScaleMode, staticScale: number): boolean =>
  precision !== 'fp16' || mode !== 'static' || (Number.isFinite(staticScale) && staticScale > 0);
