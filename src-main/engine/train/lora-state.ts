// The adapter's trainable tensors on the host: initial values (fresh or from a PEFT adapter) and conversion to PEFT.
import type { ModelSpec } from '../../common/model-spec';
import type { LoraSettings } from '../../common/train';
import type { AdapterTensor, LoadedAdapter, LoraAdapterConfig } from '../io/peft-adapter';
import { checkpointWeightReader, initDoraMagnitudes, initLoraWeights, LORA_TARGETS, loraTensors, type LoraConfig, type LoraTarget } from '../nn';

export function settingsLoraConfig(s: LoraSettings): LoraConfig {
  return {
    r: s.r, alpha: s.alpha, targets: s.targets === 'all-linear' ? 'all-linear' : [...s.targets], dropout: s.dropout,
    ...(s.useRslora ? { useRslora: true } : {}), ...(s.useDora ? { useDora: true } : {}),
  };
}

/** A PEFT adapter's config as our LoraConfig; targets outside the decoder projections are refused by name. */
export function adapterLoraConfig(cfg: LoraAdapterConfig): LoraConfig {
  const unknown = cfg.targetModules.filter((t) => !(LORA_TARGETS as readonly string[]).includes(t));
  if (unknown.length) throw new Error(`The adapter targets ${unknown.join(', ')}, which this engine cannot adapt (supported: ${LORA_TARGETS.join(', ')}).`);
  return {
    r: cfg.r, alpha: cfg.alpha, targets: cfg.targetModules as LoraTarget[], dropout: 0,
    ...(cfg.useRslora ? { useRslora: true } : {}), ...(cfg.useDora ? { useDora: true } : {}),
  };
}

export function peftAdapterConfig(cfg: LoraConfig, init: LoraSettings['init'], dropout: number, baseModel: string): LoraAdapterConfig {
  const targets = cfg.targets === 'all-linear' ? [...LORA_TARGETS] : [...cfg.targets];
  return {
    r: cfg.r, alpha: cfg.alpha, dropout, targetModules: targets, init, baseModel,
    ...(cfg.useRslora ? { useRslora: true } : {}), ...(cfg.useDora ? { useDora: true } : {}),
  };
}

/**
 * Fresh adapter values (A random, B = 0; with DoRA m = ‖W‖ per output row, read from `modelDir`, so step 0 is the base
 * model) or a copy of an existing adapter's, checked against the model's shapes.
 */
export function initialLoraParams(spec: ModelSpec, cfg: LoraConfig, seed: number, init: LoraSettings['init'], from: LoadedAdapter | null, modelDir?: string): Map<string, Float32Array> {
  if (!from) {
    const fresh = initLoraWeights(spec, cfg, seed, init);
    if (!cfg.useDora) return fresh;
    if (!modelDir) throw new Error('DoRA needs the model folder to initialise its magnitudes from the weights.');
    for (const [name, m] of initDoraMagnitudes(spec, cfg, checkpointWeightReader(modelDir), fresh)) fresh.set(name, m);
    return fresh;
  }
  const out = new Map<string, Float32Array>();
  for (const t of loraTensors(spec, cfg)) {
    const src = from.tensors.get(t.name);
    if (!src) throw new Error(`The initial adapter has no tensor ${t.name}.`);
    if (src.shape.join('x') !== t.shape.join('x')) throw new Error(`Initial adapter tensor ${t.name} is [${src.shape}], the model needs [${t.shape}].`);
    out.set(t.name, Float32Array.from(src.data));
  }
  return out;
}

export function toAdapterTensors(params: Map<string, Float32Array>, shapes: Map<string, number[]>): Map<string, AdapterTensor> {
  const out = new Map<string, AdapterTensor>();
  for (const [name, data] of params) out.set(name, { shape: shapes.get(name) as number[], data });
  return out;
}
