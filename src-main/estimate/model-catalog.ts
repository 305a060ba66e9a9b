// Well-known model shapes for estimates without a download: the config.json numbers of each, parsed like a real one.
import type { ModelSpec } from '../common/model-spec';
import { parseModelConfig } from '../models/hf/config';

type Config = Record<string, unknown>;

const llama = (c: Config): Config => ({ architectures: ['LlamaForCausalLM'], rms_norm_eps: 1e-5, tie_word_embeddings: false, ...c });
const qwen2 = (c: Config): Config => ({ architectures: ['Qwen2ForCausalLM'], rms_norm_eps: 1e-6, rope_theta: 1e6, torch_dtype: 'bfloat16', ...c });
const qwen3 = (c: Config): Config => ({ architectures: ['Qwen3ForCausalLM'], rms_norm_eps: 1e-6, rope_theta: 1e6, torch_dtype: 'bfloat16', ...c });

/** config.json fields as published on the Hugging Face Hub for each model (shape-relevant fields only). */
const CONFIGS: Record<string, Config> = {
  'Llama-2-7B': llama({ hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, vocab_size: 32000, max_position_embeddings: 4096, torch_dtype: 'float16' }),
  'Llama-2-13B': llama({ hidden_size: 5120, intermediate_size: 13824, num_hidden_layers: 40, num_attention_heads: 40, num_key_value_heads: 40, vocab_size: 32000, max_position_embeddings: 4096, torch_dtype: 'float16' }),
  'Llama-3-8B': llama({ hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 8192, rope_theta: 500000, torch_dtype: 'bfloat16' }),
  'Llama-3.2-1B': llama({ hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, vocab_size: 128256, max_position_embeddings: 131072, rope_theta: 500000, tie_word_embeddings: true, torch_dtype: 'bfloat16' }),
  'Llama-3.2-3B': llama({ hidden_size: 3072, intermediate_size: 8192, num_hidden_layers: 28, num_attention_heads: 24, num_key_value_heads: 8, head_dim: 128, vocab_size: 128256, max_position_embeddings: 131072, rope_theta: 500000, tie_word_embeddings: true, torch_dtype: 'bfloat16' }),
  'Mistral-7B': { architectures: ['MistralForCausalLM'], hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, rms_norm_eps: 1e-5, rope_theta: 10000, sliding_window: 4096, tie_word_embeddings: false, torch_dtype: 'bfloat16' },
  'Qwen2.5-0.5B': qwen2({ hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, vocab_size: 151936, max_position_embeddings: 32768, tie_word_embeddings: true }),
  'Qwen2.5-1.5B': qwen2({ hidden_size: 1536, intermediate_size: 8960, num_hidden_layers: 28, num_attention_heads: 12, num_key_value_heads: 2, vocab_size: 151936, max_position_embeddings: 32768, tie_word_embeddings: true }),
  'Qwen2.5-7B': qwen2({ hidden_size: 3584, intermediate_size: 18944, num_hidden_layers: 28, num_attention_heads: 28, num_key_value_heads: 4, vocab_size: 152064, max_position_embeddings: 32768, tie_word_embeddings: false }),
  'Qwen3-0.6B': qwen3({ hidden_size: 1024, intermediate_size: 3072, num_hidden_layers: 28, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 128, vocab_size: 151936, max_position_embeddings: 40960, tie_word_embeddings: true }),
  'Qwen3-8B': qwen3({ hidden_size: 4096, intermediate_size: 12288, num_hidden_layers: 36, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 128, vocab_size: 151936, max_position_embeddings: 40960, tie_word_embeddings: false }),
  // Qwen (1st generation, QWenLMHeadModel: fused c_attn with bias, w1/w2/c_proj MLP of width intermediate_size/2 = 11008).
  // Not an architecture our engine loads; its shape is the Llama one with q/k/v biases, which Qwen2's flag expresses.
  'Qwen-7B': qwen2({ hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, vocab_size: 151936, max_position_embeddings: 8192, rope_theta: 10000 }),
};

export const CATALOG_MODEL_NAMES = Object.keys(CONFIGS);

export function catalogModel(name: string): ModelSpec | null {
  const key = CATALOG_MODEL_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
  return key ? parseModelConfig(CONFIGS[key], `catalog model ${key}`) : null;
}
