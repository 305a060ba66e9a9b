// A run's precision and loss scaling: the engine's params (absent for fp32 defaults), run.json's record and the CLI's notes.
import type { TrainJobParams } from '../../common/train';
import { defaultLossScale, TRAIN_DEFAULTS, type TrainConfig } from './config-schema';
import { cpuExecution, type ExecutionDecision } from './execution';

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

/**
 * What run.json records: the format, the loss scale, that (and why) it ran emulated, and the provider when it is not the
 * CPU. Null for a plain fp32 CPU run.
 */
export interface PrecisionRecord {
  compute: TrainConfig['precision'];
  loss_scale: TrainConfig['loss_scale'];
  emulated: boolean;
  why: string;
  provider?: ExecutionDecision['provider'];
}

/**
 * Low precision runs emulated (fp32 compute, exact rounding where autocast would round) unless execution.ts found the
 * provider's float16 kernels for an fp16 run. --emulate asks for emulation explicitly and stays recorded, so a later
 * run on a machine with kernels reproduces the same numerics.
 */
export function precisionRecord(c: PrecisionConfig, d: ExecutionDecision = cpuExecution(c)): PrecisionRecord | null {
  if (c.precision === 'fp32' && c.loss_scale === 'none' && !c.emulate && d.provider === 'cpu') return null;
  const emulated = c.precision !== 'fp32' && !d.native;
  const why = c.precision === 'fp32' ? 'fp32 needs no emulation' : c.emulate ? 'forced by --emulate' : d.why;
  return { compute: c.precision, loss_scale: c.loss_scale, emulated, why, ...(d.provider !== 'cpu' ? { provider: d.provider } : {}) };
}

const scaleText = (s: TrainConfig['loss_scale']) => (typeof s === 'number' ? `static ${s}` : s);

/** One-line notes for the CLI: `info` says how the precision runs, `warnings` what is pointless or surprising. */
export function precisionNotes(c: PrecisionConfig, d: ExecutionDecision = cpuExecution(c)): { info: string[]; warnings: string[] } {
  const info: string[] = [];
  const warnings: string[] = [];
  if (d.provider !== 'cpu') info.push(`runs on ${d.provider} (nodes it has no kernel for run on the CPU)`);
  if (c.precision !== 'fp32' && d.provider !== 'cpu') {
    info.push(`${c.precision} ${d.native ? 'matmuls on' : 'emulated on'} ${d.provider}: ${d.why}, loss scale ${scaleText(c.loss_scale)}`);
  } else if (c.precision !== 'fp32') {
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
