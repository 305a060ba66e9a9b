// config.json of a Hugging Face causal LM → ModelSpec, with errors that name the file and the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_ARCHITECTURES, type Architecture, type Llama3RopeScaling, type ModelSpec } from '../../common/model-spec';

type Json = Record<string, unknown>;

function num(config: Json, file: string, key: string, fallback?: number): number {
  const value = config[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${file}: field "${key}" must be a number${fallback === undefined ? ' and is required' : ''}, got ${JSON.stringify(config[key])}.`);
  }
  return value;
}

function positiveInt(config: Json, file: string, key: string, fallback?: number): number {
  const value = num(config, file, key, fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${file}: field "${key}" must be a positive integer, got ${value}.`);
  return value;
}

function ropeScaling(config: Json, file: string): Llama3RopeScaling | null {
  const raw = config.rope_scaling as Json | null | undefined;
  if (raw == null) return null;
  const type = raw.rope_type ?? raw.type;
  if (type === 'default') return null;
  if (type !== 'llama3') throw new Error(`${file}: rope_scaling type ${JSON.stringify(type)} is not supported (supported: llama3, or none).`);
  return {
    type: 'llama3',
    factor: num(raw, `${file} rope_scaling`, 'factor'),
    lowFreqFactor: num(raw, `${file} rope_scaling`, 'low_freq_factor'),
    highFreqFactor: num(raw, `${file} rope_scaling`, 'high_freq_factor'),
    originalMaxPositions: positiveInt(raw, `${file} rope_scaling`, 'original_max_position_embeddings'),
  };
}

export function parseModelConfig(config: Json, file = 'config.json'): ModelSpec {
  const archs = config.architectures;
  const architecture = Array.isArray(archs) ? archs[0] : undefined;
  if (!SUPPORTED_ARCHITECTURES.includes(architecture as Architecture)) {
    throw new Error(`${file}: architecture ${JSON.stringify(architecture ?? null)} is not supported (supported: ${SUPPORTED_ARCHITECTURES.join(', ')}).`);
  }
  const hiddenSize = positiveInt(config, file, 'hidden_size');
  const numHeads = positiveInt(config, file, 'num_attention_heads');
  const numKvHeads = positiveInt(config, file, 'num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) throw new Error(`${file}: num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads}).`);
  const explicitHeadDim = config.head_dim;
  if (explicitHeadDim == null && hiddenSize % numHeads !== 0) throw new Error(`${file}: hidden_size (${hiddenSize}) is not divisible by num_attention_heads (${numHeads}) and no head_dim is given.`);
  const headDim = explicitHeadDim == null ? hiddenSize / numHeads : positiveInt(config, file, 'head_dim');
  if (headDim % 2 !== 0) throw new Error(`${file}: head_dim ${headDim} must be even for rotary embeddings.`);
  const arch = architecture as Architecture;
  return {
    architecture: arch,
    hiddenSize,
    intermediateSize: positiveInt(config, file, 'intermediate_size'),
    numLayers: positiveInt(config, file, 'num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: positiveInt(config, file, 'vocab_size'),
    maxPositions: positiveInt(config, file, 'max_position_embeddings', 2048),
    rmsNormEps: num(config, file, 'rms_norm_eps', 1e-6),
    ropeTheta: num(config, file, 'rope_theta', 10000),
    ropeScaling: ropeScaling(config, file),
    tieWordEmbeddings: Boolean(config.tie_word_embeddings ?? false),
    // Qwen2 always has q/k/v biases; Llama/Mistral/Qwen3 only when attention_bias says so.
    attentionBias: arch === 'Qwen2ForCausalLM' ? true : Boolean(config.attention_bias ?? false),
    qkNorm: arch === 'Qwen3ForCausalLM',
    slidingWindow: typeof config.sliding_window === 'number' && config.use_sliding_window !== false ? config.sliding_window : null,
    torchDtype: typeof config.torch_dtype === 'string' ? config.torch_dtype : typeof config.dtype === 'string' ? config.dtype : null,
  };
}

/** Reads DIR/config.json; a missing or malformed file gets an error naming it. */
export function readModelConfig(dir: string): ModelSpec {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${dir} is not a Hugging Face model folder: ${file} does not exist.`);
  }
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}).`, { cause: err });
  }
  return parseModelConfig(json, file);
}
