// LoRA and LoRA+: the adapter's A/B pairs train, the base model is frozen; checkpoints and the result are PEFT adapters.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LORAPLUS_RATIO } from '../../../common/train';
import { readPeftAdapter, writePeftAdapter, type LoraAdapterConfig } from '../../io/peft-adapter';
import type { LoraConfig } from '../../nn';
import type { ParamSpec } from '../../optim';
import type { ParamsCodec } from '../checkpoint';
import { adapterLoraConfig, initialLoraParams, peftAdapterConfig, settingsLoraConfig, toAdapterTensors } from '../lora-state';
import type { MethodContext, TrainMethodPlan } from './types';

/** The run's LoRA shape: the --init-adapter's when continuing one, else the run's settings. */
export function runLoraConfig(ctx: MethodContext): LoraConfig {
  const p = ctx.params;
  return p.initAdapter ? adapterLoraConfig(readPeftAdapter(p.initAdapter).config) : settingsLoraConfig(p.lora);
}

/** The trainable tensors in their optimizer groups: with LoRA+ every lora_B goes to group 1, the rest stay in group 0. */
export function loraOptimizerParams(params: readonly { name: string; shape: number[] }[], loraPlus: boolean): ParamSpec[] {
  return params.map((p) => ({ ...p, group: loraPlus && p.name.includes('lora_B') ? 1 : 0 }));
}

/** Checkpoint tensors as a PEFT adapter: a checkpoint folder is itself loadable by PEFT. */
export function peftCodec(config: LoraAdapterConfig): ParamsCodec {
  return {
    write: (dir, params, shapes) => writePeftAdapter(dir, config, toAdapterTensors(params, shapes)),
    read: (dir) => new Map([...readPeftAdapter(dir).tensors].map(([name, t]) => [name, t.data])),
  };
}

/** The final adapter: OUT/adapter/ in PEFT layout. */
export function saveFinalAdapter(runDir: string, config: LoraAdapterConfig, params: Map<string, Float32Array>, shapes: Map<string, number[]>): string {
  const dir = join(runDir, 'adapter');
  mkdirSync(runDir, { recursive: true });
  writePeftAdapter(dir, config, toAdapterTensors(params, shapes));
  return dir;
}

export function loraPlan(ctx: MethodContext): TrainMethodPlan {
  const p = ctx.params;
  const lora = runLoraConfig(ctx);
  const adapterConfig = peftAdapterConfig(lora, p.lora.init, p.lora.dropout, p.modelDir);
  const loraPlus = p.method === 'lora_plus';
  const ratio = p.loraPlusRatio ?? DEFAULT_LORAPLUS_RATIO;
  return {
    // The run's dropout applies to a continued adapter too (adapterLoraConfig reads none); eval graphs never drop.
    trainGraph: { lora: { ...lora, dropout: p.lora.dropout } },
    evalGraph: { lora },
    initialParams: () => initialLoraParams(p.spec, lora, p.seed, p.lora.init, p.initAdapter ? readPeftAdapter(p.initAdapter) : null),
    optimizerParams: (params) => loraOptimizerParams(params, loraPlus),
    // LoRA+ is two parameter groups of the one optimizer: A (group 0) at lr, B (group 1) at lr × λ, both with the run's
    // weight decay. That is PEFT's create_loraplus_optimizer (peft/optimizers/loraplus.py) called with
    // loraplus_weight_decay = the run's weight decay, as the LoRA+ authors' reference does with the Trainer's: its groupA
    // and groupB share one decay, and its other two groups are empty here — "embedding" holds LoRA on embedding layers and
    // "groupB_no_decay" 1-D params (biases, norms), and the trainable tensors of our runs are only the A and B of linear layers.
    optimizerGroups: loraPlus ? [{}, { lrMultiplier: ratio }] : undefined,
    codec: peftCodec(adapterConfig),
    exportFinal: (runDir, params, shapes) => ({ adapterDir: saveFinalAdapter(runDir, adapterConfig, params, shapes), extra: [] }),
    describe: () => (loraPlus ? [`LoRA+: lora_B at lr × ${ratio}, lora_A at lr`] : []),
  };
}
