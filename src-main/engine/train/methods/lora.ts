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
  return p.initAdapter ? adapterLoraConfig(readPeftAdapter(p.initAdapter, VARIANTS).config) : settingsLoraConfig(p.lora);
}

/** The engine trains rsLoRA and DoRA adapters, so it reads them too. */
export const VARIANTS = { rslora: true, dora: true } as const;

/**
 * The trainable tensors in their optimizer groups: with LoRA+ every lora_B goes to group 1, and so does DoRA's
 * magnitude (PEFT's create_loraplus_optimizer puts 1-D parameters in the B group); A stays in group 0.
 */
export function loraOptimizerParams(params: readonly { name: string; shape: number[] }[], loraPlus: boolean): ParamSpec[] {
  return params.map((p) => ({ ...p, group: loraPlus && (p.name.includes('lora_B') || p.name.endsWith('lora_magnitude_vector')) ? 1 : 0 }));
}

/** Checkpoint tensors as a PEFT adapter: a checkpoint folder is itself loadable by PEFT. */
export function peftCodec(config: LoraAdapterConfig): ParamsCodec {
  return {
    write: (dir, params, shapes) => writePeftAdapter(dir, config, toAdapterTensors(params, shapes)),
    read: (dir) => new Map([...readPeftAdapter(dir, VARIANTS).tensors].map(([name, t]) => [name, t.data])),
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
    initialParams: () => initialLoraParams(p.spec, lora, p.seed, p.lora.init, p.initAdapter ? readPeftAdapter(p.initAdapter, VARIANTS) : null, p.modelDir),
    optimizerParams: (params) => loraOptimizerParams(params, loraPlus),
    // LoRA+ is two parameter groups of the one optimizer: A (group 0) at lr, B (group 1) at lr × λ, both with the run's
    // weight decay. That is PEFT's create_loraplus_optimizer (peft/optimizers/loraplus.py) called with
    // loraplus_weight_decay = the run's weight decay, as the LoRA+ authors' reference does with the Trainer's: its groupA
    // and groupB share one decay, and its other two groups are empty here — "embedding" holds LoRA on embedding layers and
    // "groupB_no_decay" 1-D params (biases, norms), and the trainable tensors of our runs are only the A and B of linear layers.
    optimizerGroups: loraPlus ? [{}, { lrMultiplier: ratio }] : undefined,
    codec: peftCodec(adapterConfig),
    exportFinal: (runDir, params, shapes) => ({ adapterDir: saveFinalAdapter(runDir, adapterConfig, params, shapes), extra: [] }),
    describe: () => [
      ...(loraPlus ? [`LoRA+: lora_B${lora.useDora ? ' and the DoRA magnitudes' : ''} at lr × ${ratio}, lora_A at lr`] : []),
      ...(lora.useRslora ? [`rsLoRA: scale α/√r = ${(lora.alpha / Math.sqrt(lora.r)).toFixed(3)}`] : []),
      ...(lora.useDora ? ['DoRA: a trained magnitude per output row, initialised to the row norms of W'] : []),
    ],
  };
}
