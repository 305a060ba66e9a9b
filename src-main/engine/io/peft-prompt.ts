// Prompt-learning adapters in PEFT's layout (P_TUNING, PROMPT_TUNING, PREFIX_TUNING): adapter_config.json +
// adapter_model.safetensors holding `prompt_embeddings`, plus our sidecar with the encoder tensors to resume training.
//
// What PEFT saves (0.20.1.dev0, tuners_utils.py BasePromptEncoder._get_adapter_state_dict, peft_model.py
// get_prompt_embedding_to_save): one tensor, `prompt_embeddings`, the encoder's OUTPUT for the virtual tokens (P-tuning
// [n, token_dim]; prefix [n, L·2·token_dim]). Loading puts it into the encoder's embedding table
// (_load_adapter_state_dict), and an inference-mode encoder has no MLP/LSTM/transform, so get_prompt reads the table
// as the prompt itself. We therefore write inference_mode: true and the encoder output, which is what a PEFT
// save_pretrained of the trained model produces and loads for inference in PEFT as is.
// The encoder-less P-tuning ('none') is written as PROMPT_TUNING: that is PEFT's encoder-less method, and it stays exact
// when PEFT reloads it trainable (P_TUNING reloaded trainable would run a fresh MLP head over the table).
// The encoder tensors (table, MLP/LSTM/transform weights) go to prompt_encoder.safetensors under their state-dict names,
// not into adapter_model.safetensors: PEFT ignores that file, whereas extra keys in the adapter file would be loaded by
// model.load_state_dict beside a table overwritten with the encoder output, an inconsistent encoder.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../../common/model-spec';
import { PTUNING_LSTM_LAYERS, prefixDims, prefixWidth, promptParamShapes, type PromptConfig } from '../nn/prompt';
import { decodeFloats } from './float-codec';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, type AdapterTensor } from './peft-adapter';
import { readSafetensorsHeader, readTensorBytes, writeSafetensors } from './safetensors';

export const PROMPT_EMBEDDINGS_KEY = 'prompt_embeddings';
/** Our sidecar: the trainable encoder tensors (PEFT state-dict names), for continuing a run. */
export const PROMPT_ENCODER_WEIGHTS = 'prompt_encoder.safetensors';

export type PromptPeftType = 'P_TUNING' | 'PROMPT_TUNING' | 'PREFIX_TUNING';

export function promptPeftType(cfg: PromptConfig): PromptPeftType {
  if (cfg.kind === 'prefix') return 'PREFIX_TUNING';
  return cfg.encoder === 'none' ? 'PROMPT_TUNING' : 'P_TUNING';
}

/** token_dim / num_attention_heads as PEFT's _prepare_prompt_learning_config sets them (KV widths for prefix tuning). */
function dims(spec: ModelSpec, cfg: PromptConfig): { tokenDim: number; heads: number } {
  if (cfg.kind === 'prefix') {
    const d = prefixDims(spec);
    return { tokenDim: d.tokenDim, heads: d.heads };
  }
  return { tokenDim: spec.hiddenSize, heads: spec.numHeads };
}

/** PEFT's adapter_config.json for the config (its fields for the type, with PEFT's defaults for the rest). */
export function peftPromptConfigJson(spec: ModelSpec, cfg: PromptConfig, baseModel: string): Record<string, unknown> {
  const { tokenDim, heads } = dims(spec, cfg);
  const common = {
    peft_type: promptPeftType(cfg),
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    revision: null,
    inference_mode: true,
    auto_mapping: null,
    num_virtual_tokens: cfg.virtualTokens,
    token_dim: tokenDim,
    num_transformer_submodules: 1,
    num_attention_heads: heads,
    num_layers: spec.numLayers,
    modules_to_save: null,
  };
  if (cfg.kind === 'prefix') {
    return { ...common, encoder_hidden_size: cfg.projection ? cfg.encoderHidden : tokenDim, prefix_projection: cfg.projection, init_weights: null };
  }
  if (cfg.encoder === 'none') {
    return { ...common, prompt_tuning_init: 'RANDOM', prompt_tuning_init_text: null, tokenizer_name_or_path: null, tokenizer_kwargs: null };
  }
  return {
    ...common,
    encoder_reparameterization_type: cfg.encoder === 'lstm' ? 'LSTM' : 'MLP',
    encoder_hidden_size: cfg.encoderHidden,
    encoder_num_layers: PTUNING_LSTM_LAYERS,
    encoder_dropout: 0.0,
  };
}

/** The shape PEFT gives prompt_embeddings. */
export function promptEmbeddingsShape(spec: ModelSpec, cfg: PromptConfig): number[] {
  return [cfg.virtualTokens, cfg.kind === 'prefix' ? prefixWidth(spec) : spec.hiddenSize];
}

export interface PromptAdapterFiles {
  spec: ModelSpec;
  config: PromptConfig;
  baseModel: string;
  /** The encoder output (buildPromptEmbeddingGraph), row-major. */
  promptEmbeddings: Float32Array;
  /** Every tensor of promptParamShapes(spec, config), by name. */
  encoder: ReadonlyMap<string, Float32Array>;
}

/** Writes into a temporary folder and renames it into place, so a crash never leaves half an adapter. */
export function writePeftPrompt(dir: string, a: PromptAdapterFiles): void {
  const shape = promptEmbeddingsShape(a.spec, a.config);
  if (a.promptEmbeddings.length !== shape[0] * shape[1]) throw new Error(`prompt_embeddings: ${a.promptEmbeddings.length} values, expected [${shape}]`);
  const encoder = promptParamShapes(a.spec, a.config).map((p) => {
    const data = a.encoder.get(p.name);
    if (!data) throw new Error(`prompt encoder tensor ${p.name} is missing`);
    return { name: p.name, dtype: 'F32' as const, shape: p.shape, data };
  });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeSafetensors(join(tmp, ADAPTER_WEIGHTS), [{ name: PROMPT_EMBEDDINGS_KEY, dtype: 'F32', shape, data: a.promptEmbeddings }], { format: 'pt' });
  writeSafetensors(join(tmp, PROMPT_ENCODER_WEIGHTS), encoder, { format: 'pt' });
  writeFileSync(join(tmp, ADAPTER_CONFIG), `${JSON.stringify(peftPromptConfigJson(a.spec, a.config, a.baseModel), null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export interface LoadedPrompt {
  config: PromptConfig;
  peftType: PromptPeftType;
  baseModel: string;
  /** token_dim, num_attention_heads, num_layers as the file states them (to check against the base model). */
  tokenDim: number;
  numAttentionHeads: number;
  numLayers: number;
  promptEmbeddings: AdapterTensor;
  /** The sidecar's encoder tensors; null when the folder has none (a PEFT-written adapter): inference only. */
  encoder: Map<string, AdapterTensor> | null;
}

function configFrom(raw: Record<string, unknown>, where: string): PromptConfig {
  const n = Number(raw.num_virtual_tokens);
  const hidden = Number(raw.encoder_hidden_size ?? 0);
  if (raw.peft_type === 'PREFIX_TUNING') return { kind: 'prefix', virtualTokens: n, projection: raw.prefix_projection === true, encoderHidden: hidden };
  if (raw.peft_type === 'PROMPT_TUNING') return { kind: 'ptuning', virtualTokens: n, encoder: 'none', encoderHidden: 0 };
  if (raw.peft_type !== 'P_TUNING') throw new Error(`${where}: peft_type ${JSON.stringify(raw.peft_type)} is not a prompt-learning type we read (P_TUNING, PROMPT_TUNING, PREFIX_TUNING).`);
  const type = raw.encoder_reparameterization_type ?? 'MLP';
  if (type !== 'MLP' && type !== 'LSTM') throw new Error(`${where}: encoder_reparameterization_type ${JSON.stringify(type)} is not MLP or LSTM.`);
  if (type === 'LSTM' && (raw.encoder_num_layers ?? PTUNING_LSTM_LAYERS) !== PTUNING_LSTM_LAYERS) {
    throw new Error(`${where}: only ${PTUNING_LSTM_LAYERS}-layer LSTM encoders are supported (encoder_num_layers ${String(raw.encoder_num_layers)}).`);
  }
  return { kind: 'ptuning', virtualTokens: n, encoder: type === 'LSTM' ? 'lstm' : 'mlp', encoderHidden: hidden };
}

function readTensors(file: string): Map<string, AdapterTensor> {
  const out = new Map<string, AdapterTensor>();
  for (const [name, loc] of readSafetensorsHeader(file).tensors) {
    if (loc.dtype !== 'F32' && loc.dtype !== 'F16' && loc.dtype !== 'BF16') throw new Error(`${file}: ${name} has dtype ${loc.dtype}; expected F32, F16 or BF16.`);
    out.set(name, { shape: loc.shape, data: decodeFloats(readTensorBytes(loc), loc.dtype) });
  }
  return out;
}

/** Reads a prompt-learning adapter folder (F32/F16/BF16 tensors become float32); errors name the file and the problem. */
export function readPeftPrompt(dir: string): LoadedPrompt {
  const configPath = join(dir, ADAPTER_CONFIG);
  const weightsPath = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(configPath)) throw new Error(`${dir} is not a PEFT adapter: ${ADAPTER_CONFIG} is missing.`);
  if (!existsSync(weightsPath)) throw new Error(`${dir} is not a PEFT adapter: ${ADAPTER_WEIGHTS} is missing (only safetensors adapters are supported).`);
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const config = configFrom(raw, configPath);
  if (!(Number.isInteger(config.virtualTokens) && config.virtualTokens > 0)) throw new Error(`${configPath}: num_virtual_tokens must be a positive integer.`);
  if ((raw.num_transformer_submodules ?? 1) !== 1) throw new Error(`${configPath}: num_transformer_submodules must be 1 for a causal LM.`);
  const prompt = readTensors(weightsPath).get(PROMPT_EMBEDDINGS_KEY);
  if (!prompt) throw new Error(`${weightsPath}: no ${PROMPT_EMBEDDINGS_KEY} tensor.`);
  if (prompt.shape.length !== 2 || prompt.shape[0] !== config.virtualTokens) {
    throw new Error(`${weightsPath}: ${PROMPT_EMBEDDINGS_KEY} has shape [${prompt.shape}], expected ${config.virtualTokens} rows.`);
  }
  const sidecar = join(dir, PROMPT_ENCODER_WEIGHTS);
  return {
    config,
    peftType: raw.peft_type as PromptPeftType,
    baseModel: String(raw.base_model_name_or_path ?? ''),
    tokenDim: Number(raw.token_dim),
    numAttentionHeads: Number(raw.num_attention_heads),
    numLayers: Number(raw.num_layers),
    promptEmbeddings: prompt,
    encoder: existsSync(sidecar) ? readTensors(sidecar) : null,
  };
}
