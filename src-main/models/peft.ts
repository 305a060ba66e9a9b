// PEFT LoRA adapters on main's side: the engine's reader/writer (one implementation), plus pairing A/B (and DoRA's
// magnitude) per module for merges.
import type { AdapterTensor, LoadedAdapter } from '../engine/io/peft-adapter';

export {
  ADAPTER_CONFIG, ADAPTER_WEIGHTS, peftConfigJson, readPeftAdapter, writePeftAdapter,
  type AdapterTensor, type AdapterVariants, type LoadedAdapter, type LoraAdapterConfig,
} from '../engine/io/peft-adapter';

/** PEFT prefixes every key with the wrapper's path; what follows is the base checkpoint's module name. */
const PEFT_PREFIX = 'base_model.model.';

/** One adapted module: `module` names the base linear layer (its weight is `${module}.weight`). */
export interface LoraPair {
  module: string;
  a: AdapterTensor; // [r, in]
  b: AdapterTensor; // [out, r]
  /** DoRA's magnitude [out] (use_dora adapters only). */
  m?: AdapterTensor;
}

/** PEFT's scaling of the low-rank update: alpha/r, or alpha/√r with rsLoRA (tuners/lora/layer.py update_layer). */
export function loraScaling(adapter: LoadedAdapter): number {
  const { alpha, r, useRslora } = adapter.config;
  return useRslora ? alpha / Math.sqrt(r) : alpha / r;
}

/**
 * Groups the adapter's tensors into A/B pairs per module, checking shapes against the config's rank. Keys that are
 * not plain LoRA linear weights (embedding LoRA, modules_to_save, biases) are refused by name: merging them
 * half-way would change the model silently.
 */
export function loraPairs(adapter: LoadedAdapter, where = 'the adapter'): LoraPair[] {
  const halves = new Map<string, { a?: AdapterTensor; b?: AdapterTensor; m?: AdapterTensor }>();
  const dora = adapter.config.useDora === true;
  for (const [key, t] of adapter.tensors) {
    // PEFT saves the magnitude as `<module>.lora_magnitude_vector`; `.default.weight` is its in-memory name.
    const mag = dora ? /^(.*)\.lora_magnitude_vector(?:\.default\.weight)?$/.exec(key) : null;
    const m = mag ? null : /^(.*)\.lora_([AB])(?:\.default)?\.weight$/.exec(key);
    if (!m && !mag) throw new Error(`${where}: tensor ${key} is not a LoRA A/B weight${dora ? ' or DoRA magnitude' : ''} of a linear layer; only those can be merged.`);
    const path = (mag ?? m)![1];
    const module = path.startsWith(PEFT_PREFIX) ? path.slice(PEFT_PREFIX.length) : path;
    const entry = halves.get(module) ?? {};
    entry[mag ? 'm' : m![2] === 'A' ? 'a' : 'b'] = t;
    halves.set(module, entry);
  }
  const r = adapter.config.r;
  const pairs: LoraPair[] = [];
  for (const [module, { a, b, m }] of halves) {
    if (!a || !b) throw new Error(`${where}: module ${module} has ${a || b ? `lora_${a ? 'A' : 'B'} but no lora_${a ? 'B' : 'A'}` : 'a DoRA magnitude but no lora_A / lora_B'}.`);
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== r || b.shape[1] !== r) {
      throw new Error(`${where}: module ${module} has lora_A [${a.shape}] and lora_B [${b.shape}]; with r=${r} they must be [${r}, in] and [out, ${r}].`);
    }
    if (dora && !m) throw new Error(`${where}: the adapter is DoRA (use_dora) but module ${module} has no lora_magnitude_vector.`);
    if (m && (m.shape.length !== 1 || m.shape[0] !== b.shape[0])) throw new Error(`${where}: module ${module}'s lora_magnitude_vector is [${m.shape}]; it must be [${b.shape[0]}].`);
    pairs.push(m ? { module, a, b, m } : { module, a, b });
  }
  if (!pairs.length) throw new Error(`${where} holds no LoRA tensors.`);
  return pairs;
}
