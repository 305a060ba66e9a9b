// The second calibration: the measured tokens/s of a completed training run of the same model on this machine, with
// the FLOPs per token of that run's own configuration (so the estimator can rescale it to the one asked about).
import type { Job } from '../../common/jobs';
import type { ModelSpec } from '../../common/model-spec';
import { TrainJobParams } from '../../common/train';
import { flopsPerToken } from '../../estimate';
import { measuredRate } from '../../estimate/calibrate';

export interface MeasuredRun { jobId: string; tokensPerSecond: number; flopsPerToken: number; endedAt: string | null }

/** Same model = same shape: the FLOPs and the kernels are the same whichever folder or name it came from. */
const SHAPE: readonly (keyof ModelSpec)[] = ['architecture', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'vocabSize', 'tieWordEmbeddings'];
export const sameShape = (a: ModelSpec, b: ModelSpec): boolean => SHAPE.every((k) => a[k] === b[k]);

/**
 * The latest completed training run of this model in this precision (emulated bf16/fp16 runs slower on the CPU than
 * fp32) with at least two steps; null when there is none. LoRA-family and full runs only: the estimator models those.
 */
export function latestMeasuredRun(jobs: readonly Job[], spec: ModelSpec, precision: 'fp32' | 'fp16' | 'bf16'): MeasuredRun | null {
  const done = jobs.filter((j) => j.kind === 'train' && j.state === 'completed' && j.runDir)
    .sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? ''));
  for (const job of done) {
    const p = TrainJobParams.safeParse(job.params);
    if (!p.success || !sameShape(p.data.spec, spec) || (p.data.precision ?? 'fp32') !== precision) continue;
    if (p.data.method === 'ptuning' || p.data.method === 'prefix') continue;
    const rate = measuredRate(job.runDir!);
    if (!rate) continue;
    const { batchSize, gradAccum } = p.data;
    // The run's mean length from the tokens it processed per step: attention's share of the FLOPs depends on it.
    const seqLen = Math.max(2, Math.round(rate.tokensPerStep / (batchSize * gradAccum)));
    const perToken = flopsPerToken({
      spec, method: p.data.method === 'full' ? 'full' : 'lora', lora: { r: p.data.lora.r, targets: p.data.lora.targets, dropout: 0 },
      precision, optimizer: p.data.optimizer, batchSize, seqLen, gradAccum, checkpointing: false, profile: 'ours', device: 'cpu',
    });
    return { jobId: job.id, tokensPerSecond: rate.tokensPerSecond, flopsPerToken: perToken, endedAt: job.endedAt };
  }
  return null;
}
