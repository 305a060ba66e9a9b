// The plan of each training method; the trainer asks for one by the run's `method`.
import { loraPlan } from './lora';
import { ploraPlan } from './plora';
import type { MethodContext, TrainMethodPlan } from './types';

export function methodPlan(ctx: MethodContext): TrainMethodPlan {
  switch (ctx.params.method) {
    case 'lora':
    case 'lora_plus':
      return loraPlan(ctx);
    case 'plora':
      return ploraPlan(ctx);
    default:
      throw new Error(`The engine cannot train method '${ctx.params.method}' yet.`);
  }
}
