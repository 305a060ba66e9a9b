// A run's precision and loss scaling: the engine's params (absent for fp32 defaults), run.json's record and the CLI's notes.
import type { TrainJobParams } from '../../common/train';
import { defaultLossScale, TRAIN_DEFAULTS, type TrainConfig } from './config-schema';

type PrecisionConfig = Pick<TrainConfig, 'precision' | 'loss_scale' | 'emulate'> & Partial<Pick<TrainConfig, 'fp8_margin' | 'fp8_amax_history'>>;

/**
 * TrainJobParams.precision / lossScale exactly as the engine reads them (trainer.ts lossScaleConfig). Each key is set
 * only when it differs from the engine's own default, so an fp32 run without loss scaling has neither and its resume
 * hash (a hash of the params) is the one of run folders made before precisions existed.
 */
export function precisionParams(c: PrecisionConfig): Pick<TrainJobParams, 'precision' | 'lossScale' | 'fp8'> {
  // fp8's recipe: only the keys that differ from the engine's defaults (delayed-scaling.ts, the same as TRAIN_DEFAULTS).
  const fp8 = {
    ...(c.fp8_margin !== undefined && c.fp8_margin !== TRAIN_DEFAULTS.fp8_margin ? { margin: c.fp8_margin } : {}),
    ...(c.fp8_amax_history !== undefined && c.fp8_amax_history !== TRAIN_DEFAULTS.fp8_amax_history ? { amaxHistoryLen: c.fp8_amax_history } : {}),
  };
  return {
    ...(c.precision !== 'fp32' ? { precision: c.precision } : {}),
    ...(c.precision === 'fp8' && Object.keys(fp8).length > 0 ? { fp8 } : {}),
    ...(c.loss_scale !== defaultLossScale(c.precision) ? { lossScale: c.loss_scale } : {}),
  };
}

/** What run.json records: the format, the loss scale, and that (and why) it ran emulated. Null for a plain fp32 run. */
export interface PrecisionRecord { compute: TrainConfig['precision']; loss_scale: TrainConfig['loss_scale']; emulated: boolean; why: string }

/**
 * This build trains on onnxruntime's CPU provider only, which has no fp16/bf16 math kernels (DESIGN §3): every low
 * precision runs emulated (fp32 compute, exact rounding where autocast would round). --emulate asks for that explicitly
 * and stays recorded, so a future build with native kernels reproduces the same numerics for such a run.
 */
export function precisionRecord(c: PrecisionConfig): PrecisionRecord | null {
  if (c.precision === 'fp32' && c.loss_scale === 'none' && !c.emulate) return null;
  const emulated = c.precision !== 'fp32';
  const why = !emulated ? 'fp32 needs no emulation' : c.emulate ? 'forced by --emulate'
    : `no CUDA provider in this build: CPU has no ${c.precision === 'fp8' ? 'fp8' : 'fp16/bf16'} math kernels`;
  return { compute: c.precision, loss_scale: c.loss_scale, emulated, why };
}

const scaleText = (s: TrainConfig['loss_scale']) => (typeof s === 'number' ? `static ${s}` : s);

/** One-line notes for the CLI: `info` says how the precision runs, `warnings` what is pointless or surprising. */
export function precisionNotes(c: PrecisionConfig): { info: string[]; warnings: string[] } {
  const info: string[] = [];
  const warnings: string[] = [];
  if (c.precision !== 'fp32') {
    info.push(c.emulate
      ? `${c.precision} runs emulated (--emulate), loss scale ${scaleText(c.loss_scale)}`
      : `${c.precision} runs emulated on CPU — a preview of a GPU run's numerics, not faster (loss scale ${scaleText(c.loss_scale)})`);
  } else if (c.emulate) {
    warnings.push('--emulate has no effect with fp32: fp32 is what the CPU computes in');
  }
  if (c.precision !== 'fp16' && c.loss_scale !== 'none') {
    const why = c.precision === 'bf16' ? 'bf16 has fp32\'s exponent range, so its gradients do not underflow'
      : c.precision === 'fp8' ? 'fp8 scales every gradient tensor on its own (delayed scaling), as Transformer Engine does without a loss scale'
        : 'fp32 gradients do not underflow';
    warnings.push(`loss scale ${scaleText(c.loss_scale)} is not needed with ${c.precision} (${why}); it runs as asked`);
  }
  return { info, warnings };
}
