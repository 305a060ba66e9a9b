// The plan of each training method; the trainer asks for one by the run's `method`.
import { fullPlan } from './full';
import { loraPlan } from './lora';
import { ploraPlan } from './plora';
import { promptPlan } from './prompt';
import type { MethodContext, TrainMethodPlan } from './types';

export function methodPlan(ctx: MethodContext): TrainMethodPlan {
  switch (ctx.params.method) {
    case 'lora':
    case 'lora_plus':
      return loraPlan(ctx);
    case 'plora':
      return ploraPlan(ctx);
    case 'full':
      return fullPlan(ctx);
    case 'ptuning':
    case 'prefix':
      return promptPlan(ctx);
  }
}
