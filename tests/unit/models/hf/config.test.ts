// config.json → ModelSpec for each supported family, and errors that name the field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, readModelConfig } from '../../../../src-main/models/hf/config';

const llama = {
  architectures: ['LlamaForCausalLM'], hidden_size: 64, intermediate_size: 176, num_hidden_layers: 2, num_attention_heads: 4,
  num_key_value_heads: 2, vocab_size: 300, max_position_embeddings: 128, rms_norm_eps: 1e-5, rope_theta: 500000,
  rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 },
  tie_word_embeddings: true, torch_dtype: 'bfloat16',
};

describe('parseModelConfig', () => {
  it('reads a Llama 3 config with GQA, llama3 rope scaling and tied embeddings', () => {
    expect(parseModelConfig(llama)).toEqual({
      architecture: 'LlamaForCausalLM', hiddenSize: 64, intermediateSize: 176, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16,
      vocabSize: 300, maxPositions: 128, rmsNormEps: 1e-5, ropeTheta: 500000,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
      tieWordEmbeddings: true, attentionBias: false, qkNorm: false, slidingWindow: null, torchDtype: 'bfloat16',
    });
  });

  it('knows the family quirks: Qwen2 biases, Qwen3 q/k norm and explicit head_dim', () => {
    expect(parseModelConfig({ ...llama, architectures: ['Qwen2ForCausalLM'], rope_scaling: null }).attentionBias).toBe(true);
    const q3 = parseModelConfig({ ...llama, architectures: ['Qwen3ForCausalLM'], head_dim: 32, rope_scaling: null });
    expect([q3.qkNorm, q3.headDim, q3.attentionBias]).toEqual([true, 32, false]);
    expect(parseModelConfig({ ...llama, architectures: ['MistralForCausalLM'], sliding_window: 4096 }).slidingWindow).toBe(4096);
    expect(parseModelConfig({ ...llama, num_key_value_heads: undefined }).numKvHeads).toBe(4);
  });

  it('names the unsupported architecture, the bad field or the missing file', () => {
    expect(() => parseModelConfig({ ...llama, architectures: ['GPT2LMHeadModel'] })).toThrow(/architecture "GPT2LMHeadModel" is not supported/);
    expect(() => parseModelConfig({ ...llama, hidden_size: undefined })).toThrow(/field "hidden_size" must be a number and is required/);
    expect(() => parseModelConfig({ ...llama, num_key_value_heads: 3 })).toThrow(/multiple of num_key_value_heads \(3\)/);
    expect(() => parseModelConfig({ ...llama, rope_scaling: { type: 'yarn', factor: 2 } })).toThrow(/rope_scaling type "yarn" is not supported/);
    const dir = mkdtempSync(join(tmpdir(), 'ftstudio-cfg-'));
    expect(() => readModelConfig(dir)).toThrow(/not a Hugging Face model folder: .*config\.json does not exist/);
    writeFileSync(join(dir, 'config.json'), '{ nope');
    expect(() => readModelConfig(dir)).toThrow(/config\.json is not valid JSON/);
  });
});
