// PEFT LoRA adapters on main's side: the engine's reader/writer (one implementation), plus pairing A/B per module for merges.
import type { AdapterTensor, LoadedAdapter } from '../engine/io/peft-adapter';

export {
  ADAPTER_CONFIG, ADAPTER_WEIGHTS, peftConfigJson, readPeftAdapter, writePeftAdapter,
  type AdapterTensor, type LoadedAdapter, type LoraAdapterConfig,
} from '../engine/io/peft-adapter';

/** PEFT prefixes every key with the wrapper's path; what follows is the base checkpoint's module name. */
const PEFT_PREFIX = 'base_model.model.';

/** One adapted module: `module` names the base linear layer (its weight is `${module}.weight`). */
export interface LoraPair {
  module: string;
  a: AdapterTensor; // [r, in]
  b: AdapterTensor; // [out, r]
}

/** PEFT's scaling of the low-rank update (rsLoRA, which would use alpha/√r, is refused by the reader). */
export function loraScaling(adapter: LoadedAdapter): number {
  return adapter.config.alpha / adapter.config.r;
}

/**
 * Groups the adapter's tensors into A/B pairs per module, checking shapes against the config's rank. Keys that are
 * not plain LoRA linear weights (embedding LoRA, modules_to_save, biases) are refused by name: merging them
 * half-way would change the model silently.
 */
export function loraPairs(adapter: LoadedAdapter, where = 'the adapter'): LoraPair[] {
  const halves = new Map<string, { a?: AdapterTensor; b?: AdapterTensor }>();
  for (const [key, t] of adapter.tensors) {
    const m = /^(.*)\.lora_([AB])(?:\.default)?\.weight$/.exec(key);
    if (!m) throw new Error(`${where}: tensor ${key} is not a LoRA A/B weight of a linear layer; only those can be merged.`);
    const module = m[1].startsWith(PEFT_PREFIX) ? m[1].slice(PEFT_PREFIX.length) : m[1];
    const entry = halves.get(module) ?? {};
    entry[m[2] === 'A' ? 'a' : 'b'] = t;
    halves.set(module, entry);
  }
  const r = adapter.config.r;
  const pairs: LoraPair[] = [];
  for (const [module, { a, b }] of halves) {
    if (!a || !b) throw new Error(`${where}: module ${module} has lora_${a ? 'A' : 'B'} but no lora_${a ? 'B' : 'A'}.`);
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== r || b.shape[1] !== r) {
      throw new Error(`${where}: module ${module} has lora_A [${a.shape}] and lora_B [${b.shape}]; with r=${r} they must be [${r}, in] and [out, ${r}].`);
    }
    pairs.push({ module, a, b });
  }
  if (!pairs.length) throw new Error(`${where} holds no LoRA tensors.`);
  return pairs;
}
