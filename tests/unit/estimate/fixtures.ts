// Shared fixtures of the estimator tests: a tiny model whose every number can be checked by hand, and input builders.
import { parseModelConfig } from '../../../src-main/models/hf/config';
import type { EstimateInput } from '../../../src-main/estimate/types';

/** H 8, I 16, 2 layers, 2 heads of 4 with 1 kv head, V 10, untied: small enough to count by hand. */
export const TINY = parseModelConfig({
  architectures: ['LlamaForCausalLM'], hidden_size: 8, intermediate_size: 16, num_hidden_layers: 2, num_attention_heads: 2,
  num_key_value_heads: 1, vocab_size: 10, tie_word_embeddings: false,
});

/** The benchmark model of tests/bench/lora-step.bench.ts. */
export const BENCH = parseModelConfig({
  architectures: ['LlamaForCausalLM'], hidden_size: 512, intermediate_size: 1408, num_hidden_layers: 8, num_attention_heads: 8,
  num_key_value_heads: 4, vocab_size: 8192, max_position_embeddings: 2048, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: false,
});

export function input(over: Partial<EstimateInput> = {}): EstimateInput {
  return {
    spec: TINY, method: 'lora', lora: { r: 2, targets: ['q_proj', 'v_proj'], dropout: 0 }, precision: 'bf16', optimizer: 'adamw',
    batchSize: 1, seqLen: 4, gradAccum: 1, checkpointing: false, profile: 'pytorch-peft', device: 'gpu', ...over,
  };
}
