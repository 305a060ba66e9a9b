// The 'train' engine job: validates its parameters again (the engine trusts no one) and runs the training loop.
import { TrainJobParams } from '../../common/train';
import { runTraining } from '../train/trainer';
import type { EngineJob } from './types';

export const trainJob: EngineJob = {
  kind: 'train',
  async run(ctx) {
    const parsed = TrainJobParams.safeParse(ctx.params);
    if (!parsed.success) throw new Error(`Invalid training parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (!ctx.runDir) throw new Error('A training job needs a run folder.');
    const result = await runTraining(parsed.data, ctx.runDir, { emit: (m) => ctx.emit(m), stopReason: () => ctx.stopReason() });
    if (result.stopped) return { status: 'stopped' };
    return { status: 'done', result: { steps: result.steps, final_loss: result.finalLoss, eval_loss: result.evalLoss, adapter_dir: result.adapterDir } };
  },
};
