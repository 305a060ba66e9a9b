// Any adapter folder this engine writes, for a forward-only graph: a PEFT LoRA adapter (also rsLoRA / DoRA) or a PEFT
// prompt adapter (P-tuning / prompt tuning / prefix tuning, with its encoder sidecar). Returns the graph options and
// the tensors to feed; a PEFT-written prompt adapter without its encoder cannot be evaluated by our graph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTER_CONFIG, readPeftAdapter } from '../io/peft-adapter';
import { readPeftPrompt } from '../io/peft-prompt';
import type { BuildOptions, ParamInfo } from '../nn';
import type { Feed } from '../runtime';
import { adapterLoraConfig } from './lora-state';

export interface EvalAdapter {
  graph: Pick<BuildOptions, 'lora' | 'prompt'>;
  tensors: Map<string, Float32Array>;
  /** In words, for logs: "LoRA r 8" or "P_TUNING, 20 virtual tokens". */
  label: string;
}

export function loadEvalAdapter(dir: string): EvalAdapter {
  const raw = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG), 'utf8')) as { peft_type?: unknown };
  if (raw.peft_type === 'LORA') {
    const a = readPeftAdapter(dir, { rslora: true, dora: true });
    return { graph: { lora: adapterLoraConfig(a.config) }, tensors: new Map([...a.tensors].map(([n, t]) => [n, t.data])), label: `LoRA r ${a.config.r}` };
  }
  const p = readPeftPrompt(dir);
  if (!p.encoder) throw new Error(`${dir} holds only prompt_embeddings (no prompt_encoder.safetensors): evaluating it needs the encoder this app saves beside them.`);
  return { graph: { prompt: p.config }, tensors: new Map([...p.encoder].map(([n, t]) => [n, t.data])), label: `${p.peftType}, ${p.config.virtualTokens} virtual tokens` };
}

/** Feeds for a forward graph's adapter inputs; an input the adapter lacks, or of another size, is an error naming it. */
export function adapterFeeds(params: readonly ParamInfo[], tensors: ReadonlyMap<string, Float32Array> | undefined): Record<string, Feed> {
  const feeds: Record<string, Feed> = {};
  for (const p of params) {
    const data = tensors?.get(p.name);
    if (!data) throw new Error(`The adapter has no tensor ${p.name}, which its config calls for.`);
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`Adapter tensor ${p.name} has ${data.length} values, the model needs [${p.shape}].`);
    feeds[p.name] = { data, dims: p.shape };
  }
  return feeds;
}
