// LoRA adapters in PEFT's layout: adapter_config.json + adapter_model.safetensors with keys like
// base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight, so the adapter loads in PEFT and other tools.
// rsLoRA and DoRA are PEFT's use_rslora / use_dora flags; DoRA adds one tensor per module,
// base_model.model.<module>.lora_magnitude_vector [out] (the key PEFT's tuners/lora/model.py saves).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFloats } from './float-codec';
import { readSafetensorsHeader, readTensorBytes, writeSafetensors } from './safetensors';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

export interface LoraAdapterConfig {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: string[]; // module names, e.g. ["q_proj", "v_proj"]
  init: 'gaussian' | 'kaiming-uniform';
  baseModel: string;
  /** PEFT use_rslora: scaling alpha/√r. Absent: false. */
  useRslora?: boolean;
  /** PEFT use_dora: the tensors include each module's lora_magnitude_vector. Absent: false. */
  useDora?: boolean;
}

/** LoRA variants a caller of readPeftAdapter can handle; an adapter using another one is refused by name. */
export interface AdapterVariants {
  rslora?: boolean;
  dora?: boolean;
}

export interface AdapterTensor { shape: number[]; data: Float32Array }

/** PEFT's adapter_config.json for a LoRA on a causal LM (the fields PEFT reads, with its defaults for the rest). */
export function peftConfigJson(cfg: LoraAdapterConfig): Record<string, unknown> {
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: cfg.baseModel,
    r: cfg.r,
    lora_alpha: cfg.alpha,
    lora_dropout: cfg.dropout,
    target_modules: cfg.targetModules,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: cfg.init === 'gaussian' ? 'gaussian' : true,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    use_rslora: cfg.useRslora ?? false,
    use_dora: cfg.useDora ?? false,
    revision: null,
  };
}

/** Writes into a temporary folder and renames it into place, so a crash never leaves half an adapter. */
export function writePeftAdapter(dir: string, cfg: LoraAdapterConfig, tensors: Map<string, AdapterTensor>): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeSafetensors(join(tmp, ADAPTER_WEIGHTS), [...tensors].map(([name, t]) => ({ name, dtype: 'F32', shape: t.shape, data: t.data })), { format: 'pt' });
  writeJson(join(tmp, ADAPTER_CONFIG), peftConfigJson(cfg));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

export interface LoadedAdapter { config: LoraAdapterConfig; tensors: Map<string, AdapterTensor> }

/**
 * Reads a PEFT LoRA adapter (F32, F16 or BF16 weights become float32); errors name the folder and what is wrong.
 * rsLoRA and DoRA adapters load only where `accept` says the caller handles them: a caller that ignored use_rslora
 * would apply the wrong scale, one that ignored use_dora the wrong function, both silently.
 */
export function readPeftAdapter(dir: string, accept: AdapterVariants = {}): LoadedAdapter {
  const configPath = join(dir, ADAPTER_CONFIG);
  const weightsPath = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(configPath)) throw new Error(`${dir} is not a PEFT adapter: ${ADAPTER_CONFIG} is missing.`);
  if (!existsSync(weightsPath)) throw new Error(`${dir} is not a PEFT adapter: ${ADAPTER_WEIGHTS} is missing (only safetensors adapters are supported).`);
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  if (raw.peft_type !== 'LORA') throw new Error(`${configPath}: peft_type ${JSON.stringify(raw.peft_type)} is not supported here (expected "LORA").`);
  if (raw.use_dora && !accept.dora) throw new Error(`${configPath} is a DoRA adapter (use_dora: true), which this operation does not support (it takes plain LoRA adapters only).`);
  if (raw.use_rslora && !accept.rslora) throw new Error(`${configPath} is an rsLoRA adapter (use_rslora: true), which this operation does not support (its LoRA scale is alpha/r).`);
  const targets = raw.target_modules;
  const config: LoraAdapterConfig = {
    r: Number(raw.r),
    alpha: Number(raw.lora_alpha),
    dropout: Number(raw.lora_dropout ?? 0),
    targetModules: Array.isArray(targets) ? targets.map(String) : typeof targets === 'string' ? [targets] : [],
    init: raw.init_lora_weights === 'gaussian' ? 'gaussian' : 'kaiming-uniform',
    baseModel: String(raw.base_model_name_or_path ?? ''),
    useRslora: raw.use_rslora === true,
    useDora: raw.use_dora === true,
  };
  if (!(config.r > 0) || !(config.alpha > 0)) throw new Error(`${configPath}: "r" and "lora_alpha" must be positive numbers.`);
  const tensors = new Map<string, AdapterTensor>();
  for (const [name, loc] of readSafetensorsHeader(weightsPath).tensors) {
    tensors.set(name, { shape: loc.shape, data: toFloat32(readTensorBytes(loc), loc.dtype, `${weightsPath}: ${name}`) });
  }
  return { config, tensors };
}

function toFloat32(bytes: Buffer, dtype: string, what: string): Float32Array {
  if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') throw new Error(`${what} has dtype ${dtype}; adapters must be F32, F16 or BF16.`);
  return decodeFloats(bytes, dtype);
}
