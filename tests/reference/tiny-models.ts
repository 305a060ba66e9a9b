// Tiny seeded random causal LMs in Hugging Face layout (config.json + safetensors) for every family we support.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFloat16Bits } from '../../src-main/engine/ir';
import { Prng } from '../../src-main/engine/nn/prng';
import { writeSafetensors, type TensorToWrite } from '../../src-main/models/safetensors';

export type StoreDtype = 'F32' | 'F16' | 'BF16';

export interface TinyModel {
  id: string;
  config: Record<string, unknown>;
  dtype: StoreDtype;
  /** Split the tensors over two files with a model.safetensors.index.json. */
  sharded?: boolean;
  seed: number;
}

const base = {
  hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
  vocab_size: 256, max_position_embeddings: 2048, rms_norm_eps: 1e-6, hidden_act: 'silu',
};

/** One variant per family and feature: GQA + llama3 scaling, tied embeddings, biases, q/k norms with head_dim ≠ H/nh, bf16/f16 storage, shards. */
export const TINY_MODELS: TinyModel[] = [
  {
    id: 'llama', dtype: 'F32', seed: 11,
    config: {
      ...base, architectures: ['LlamaForCausalLM'], rope_theta: 10000, tie_word_embeddings: false,
      // head_dim 16: wavelengths 6..19869 cover all three llama3 regimes (kept, smoothed, divided).
      rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 1024 },
    },
  },
  { id: 'llama-tied', dtype: 'F32', seed: 12, config: { ...base, architectures: ['LlamaForCausalLM'], rope_theta: 10000, tie_word_embeddings: true } },
  { id: 'mistral', dtype: 'F32', seed: 13, config: { ...base, architectures: ['MistralForCausalLM'], rope_theta: 1e6, sliding_window: 4096, tie_word_embeddings: false } },
  { id: 'qwen2', dtype: 'F32', seed: 14, config: { ...base, architectures: ['Qwen2ForCausalLM'], rope_theta: 1e6, tie_word_embeddings: false } },
  { id: 'qwen3', dtype: 'F32', seed: 15, config: { ...base, architectures: ['Qwen3ForCausalLM'], head_dim: 32, rope_theta: 1e6, tie_word_embeddings: true } },
  { id: 'llama-bf16', dtype: 'BF16', seed: 11, config: { ...base, architectures: ['LlamaForCausalLM'], rope_theta: 500000, tie_word_embeddings: false } },
  { id: 'qwen2-f16', dtype: 'F16', seed: 14, config: { ...base, architectures: ['Qwen2ForCausalLM'], rope_theta: 1e6, tie_word_embeddings: true } },
  { id: 'qwen3-sharded', dtype: 'F32', sharded: true, seed: 15, config: { ...base, architectures: ['Qwen3ForCausalLM'], head_dim: 32, rope_theta: 1e6, tie_word_embeddings: true } },
];

interface Dims { H: number; I: number; L: number; nh: number; nkv: number; hd: number; V: number }

function dims(c: Record<string, unknown>): Dims {
  const H = c.hidden_size as number;
  const nh = c.num_attention_heads as number;
  return {
    H, I: c.intermediate_size as number, L: c.num_hidden_layers as number, nh,
    nkv: (c.num_key_value_heads as number) ?? nh, hd: (c.head_dim as number) ?? H / nh, V: c.vocab_size as number,
  };
}

/** Checkpoint tensors with their shapes and init scale, in HF's order. */
function tensorList(c: Record<string, unknown>): { name: string; shape: number[]; init: 'linear' | 'norm' | 'bias' | 'embed' }[] {
  const { H, I, L, nh, nkv, hd, V } = dims(c);
  const arch = (c.architectures as string[])[0];
  const qkvBias = arch === 'Qwen2ForCausalLM' || c.attention_bias === true;
  const out: { name: string; shape: number[]; init: 'linear' | 'norm' | 'bias' | 'embed' }[] = [
    { name: 'model.embed_tokens.weight', shape: [V, H], init: 'embed' },
  ];
  for (let l = 0; l < L; l++) {
    const a = `model.layers.${l}.self_attn`;
    const m = `model.layers.${l}.mlp`;
    out.push({ name: `model.layers.${l}.input_layernorm.weight`, shape: [H], init: 'norm' });
    for (const [p, o] of [['q_proj', nh * hd], ['k_proj', nkv * hd], ['v_proj', nkv * hd]] as const) {
      out.push({ name: `${a}.${p}.weight`, shape: [o, H], init: 'linear' });
      if (qkvBias) out.push({ name: `${a}.${p}.bias`, shape: [o], init: 'bias' });
    }
    if (arch === 'Qwen3ForCausalLM') {
      out.push({ name: `${a}.q_norm.weight`, shape: [hd], init: 'norm' }, { name: `${a}.k_norm.weight`, shape: [hd], init: 'norm' });
    }
    out.push({ name: `${a}.o_proj.weight`, shape: [H, nh * hd], init: 'linear' });
    out.push({ name: `model.layers.${l}.post_attention_layernorm.weight`, shape: [H], init: 'norm' });
    out.push({ name: `${m}.gate_proj.weight`, shape: [I, H], init: 'linear' });
    out.push({ name: `${m}.up_proj.weight`, shape: [I, H], init: 'linear' });
    out.push({ name: `${m}.down_proj.weight`, shape: [H, I], init: 'linear' });
  }
  out.push({ name: 'model.norm.weight', shape: [H], init: 'norm' });
  if (!c.tie_word_embeddings) out.push({ name: 'lm_head.weight', shape: [V, H], init: 'linear' });
  return out;
}

/** float32 → bfloat16 bits, round to nearest even (what torch's .to(bfloat16) does). */
export function bf16Bits(x: number): number {
  const u = new Uint32Array(Float32Array.of(x).buffer)[0];
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

function encode(values: Float32Array, dtype: StoreDtype): ArrayBufferView {
  if (dtype === 'F32') return values;
  return Uint16Array.from(values, dtype === 'BF16' ? bf16Bits : toFloat16Bits);
}

/** Random values of a checkpoint tensor: linear ~ N(0, 1/√in), norms ~ 1 + N(0, 0.1), biases ~ N(0, 0.1), embeddings ~ N(0, 0.25). */
function values(rng: Prng, shape: number[], init: string): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (init === 'norm') return rng.normalArray(n, 0.1, 1);
  if (init === 'bias') return rng.normalArray(n, 0.1);
  if (init === 'embed') return rng.normalArray(n, 0.25);
  return rng.normalArray(n, 1 / Math.sqrt(shape[1]));
}

/** Writes the model into `dir` (created) and returns the folder. */
export function writeTinyModel(dir: string, m: TinyModel): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...m.config, torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[m.dtype] }, null, 2));
  const rng = new Prng(m.seed);
  const tensors: TensorToWrite[] = tensorList(m.config).map((t) => {
    const v = values(rng, t.shape, t.init);
    return { name: t.name, dtype: m.dtype, shape: t.shape, data: encode(v, m.dtype) };
  });
  if (!m.sharded) {
    writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    return dir;
  }
  const half = Math.ceil(tensors.length / 2);
  const shards = [tensors.slice(0, half), tensors.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((list, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensors(join(dir, file), list, { format: 'pt' });
    for (const t of list) weightMap[t.name] = file;
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2));
  return dir;
}
