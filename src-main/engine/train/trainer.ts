// The training entry point: opens a TrainRun (train-run.ts) over the job's params and run folder and runs it to the
// end, a stop request or early stopping; plus the small pieces other modules share (LoRA+ groups, loss-scale config).
import type { FromEngine } from '../../common/engine-protocol';
import type { TrainJobParams } from '../../common/train';
import type { StopReason } from '../jobs/types';
import type { ParamSpec } from '../optim';
import { loraOptimizerParams } from './methods/lora';
import { TrainRun } from './train-run';

export { fp8Recipe, lossScaleConfig } from './precision-runtime';

export interface TrainHooks {
  emit(msg: FromEngine): void;
  stopReason(): StopReason | null;
}

export interface TrainResult { stopped: boolean; steps: number; finalLoss: number | null; evalLoss: number | null; adapterDir: string | null }

/** The trainable tensors in their optimizer groups: with LoRA+ every lora_B goes to group 1, the rest stay in group 0. */
export function optimizerParams(params: readonly ParamSpec[], method: TrainJobParams['method']): ParamSpec[] {
  return loraOptimizerParams(params as { name: string; shape: number[] }[], method === 'lora_plus');
}

export async function runTraining(params: TrainJobParams, runDir: string, hooks: TrainHooks): Promise<TrainResult> {
  const run = await TrainRun.open(params, runDir, hooks);
  try {
    return await run.run();
  } finally {
    await run.release();
  }
}
