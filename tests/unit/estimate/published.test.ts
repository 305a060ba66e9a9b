// The pytorch-peft profile against published GPU peak-memory figures: within ±20%, or a miss explained row by row.
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../src-main/common/model-spec';
import { estimateMemory } from '../../../src-main/estimate/memory';
import { catalogModel } from '../../../src-main/estimate/model-catalog';
import type { EstimateInput } from '../../../src-main/estimate/types';
import { parseModelConfig } from '../../../src-main/models/hf/config';

const GiB = 2 ** 30;

/** Qwen (1st generation) shapes from their config.json: the MLP width is intermediate_size / 2 (w1, w2 of 11008 for 7B). */
const qwen = (h: number, i: number, l: number, n: number, v: number): ModelSpec =>
  parseModelConfig({ architectures: ['Qwen2ForCausalLM'], hidden_size: h, intermediate_size: i, num_hidden_layers: l, num_attention_heads: n, vocab_size: v });
const QWEN_1_8B = qwen(2048, 5504, 24, 16, 151936);
const QWEN_7B = catalogModel('Qwen-7B')!;
const QWEN_14B = qwen(5120, 13696, 40, 40, 152064);

interface Row {
  name: string;
  source: string;
  /** The setting, quoted or summarised from the source. */
  setting: string;
  spec: ModelSpec;
  input: Partial<EstimateInput>;
  published: number;
  unit: 'GB' | 'GiB';
  /** 'reserved' = torch.cuda.max_memory_reserved (no CUDA context); 'device' = the whole device as nvidia-smi shows it. */
  measure: 'reserved' | 'device';
  /** Why the model misses this row by more than 20%; absent = expected within ±20%. */
  miss?: string;
}

const TORCHTUNE = 'https://pytorch.org/torchtune/stable/tutorials/qlora_finetune.html';
const TORCHTUNE_SETTING = 'recipes/configs/llama2/7B_lora_single_device.yaml: lora_attn_modules [q_proj, v_proj], lora_rank 8, batch_size 2, dtype bf16, enable_activation_checkpointing True; alpaca_cleaned_dataset max_seq_len 512; table "LoRA 13.98 GB (model init) 15.57 GB (Peak memory reserved, training)"; memory stats are /1e9';
const QWEN_README = 'https://github.com/QwenLM/Qwen/blob/main/README.md#profiling-of-memory-and-speed';
const QWEN_SETTING = 'single A100-SXM4-80G, CUDA 11.8, PyTorch 2.0, flash attention 2, batch 1, grad-accum 8, finetune.py: lora_r 64, lora_alpha 16, lora_dropout 0.05, targets c_attn, c_proj, w1, w2 (all linear), bf16, gradient checkpointing, rows padded to model_max_length';
const SWIFT = 'https://github.com/modelscope/ms-swift/blob/main/docs/source_en/LLM/Benchmark.md';
const SWIFT_SETTING = 'A100, torch 2.1.1, flash_attn 2.3.4; defaults --batch_size 1 --gradient_checkpointing true --use_flash_attn true --lora_rank 8 --lora_target_modules DEFAULT (c_attn = q,k,v) --dtype bf16; dataset cls-fudan-news-zh, 3234.4±2547.5 tokens; "GPU Memory (GiB)"';
const SWIFT_MISS = 'ms-swift reports torch.cuda.max_memory_reserved over a run on variable-length data (3234±2547 tokens): the caching allocator keeps blocks cut for earlier shapes, so reserved memory grows well past the allocated peak we model (+10%). The same model and code in Qwen\'s own table (a larger r64 all-linear adapter, fixed-length rows) read 23.8 G at 2048 where ms-swift reads 27.74 GiB, and ms-swift\'s 1.8B reads 16.35 GiB at 2048 against Qwen\'s 11.0 G: the excess is the measurement, not a missing tensor.';

const qwenLora = (seqLen: number): Partial<EstimateInput> => ({ seqLen, lora: { r: 64, targets: 'all-linear', dropout: 0.05 } });
const swiftLora = (seqLen: number, over: Partial<EstimateInput> = {}): Partial<EstimateInput> => ({ seqLen, lora: { r: 8, targets: ['q_proj', 'k_proj', 'v_proj'], dropout: 0.05 }, ...over });
const LENGTHS = [256, 512, 1024, 2048, 4096, 8192];

const ROWS: Row[] = [
  {
    name: 'torchtune Llama-2-7B LoRA q,v r8 B2×512 AC bf16', source: TORCHTUNE, setting: TORCHTUNE_SETTING, spec: catalogModel('Llama-2-7B')!,
    // torchtune builds the whole model in bf16, LoRA weights included (2 B per adapter parameter and Adam state is bf16 too,
    // which the 2 B adapter setting approximates); the longest alpaca rows fill 2 × 512.
    input: { batchSize: 2, seqLen: 512, lora: { r: 8, targets: ['q_proj', 'v_proj'], dropout: 0 }, options: { adapterBytes: 2 } },
    published: 15.57, unit: 'GB', measure: 'reserved',
  },
  // Qwen's table prints "20.1G"; read as GiB of the whole device (nvidia-smi's MiB, CUDA context included). Read as GB
  // without the context, every row moves by under 7 points and stays within ±20%.
  ...[20.1, 20.4, 21.5, 23.8, 29.7, 36.6].map((published, k): Row => ({
    name: `Qwen README Qwen-7B LoRA S${LENGTHS[k]}`, source: QWEN_README, setting: QWEN_SETTING, spec: QWEN_7B, input: qwenLora(LENGTHS[k]), published, unit: 'GiB', measure: 'device',
  })),
  ...[34.6, 35.1, 35.3, 37.4, 42.5, 55.2].map((published, k): Row => ({
    name: `Qwen README Qwen-14B LoRA S${LENGTHS[k]}`, source: QWEN_README, setting: QWEN_SETTING, spec: QWEN_14B, input: qwenLora(LENGTHS[k]), published, unit: 'GiB', measure: 'device',
  })),
  ...[6.7, 7.4, 8.4, 11.0, 16.2, 21.8].map((published, k): Row => ({
    name: `Qwen README Qwen-1.8B LoRA S${LENGTHS[k]}`, source: QWEN_README, setting: QWEN_SETTING, spec: QWEN_1_8B, input: qwenLora(LENGTHS[k]), published, unit: 'GiB', measure: 'device',
  })),
  ...[[512, 18.01], [1024, 21.73], [2048, 27.74], [4096, 35.31], [8192, 48.41]].map(([S, published]): Row => ({
    name: `ms-swift qwen-7b-chat LoRA r8 max_length ${S}`, source: SWIFT, setting: SWIFT_SETTING, spec: QWEN_7B, input: swiftLora(S), published, unit: 'GiB', measure: 'reserved',
    ...(S >= 1024 ? { miss: SWIFT_MISS } : {}),
  })),
  {
    name: 'ms-swift qwen-7b-chat 2048, flash attn, no checkpointing', source: SWIFT, setting: `${SWIFT_SETTING}; table "Use Flash Attn & Gradient Checkpointing": ✔ ✘ 37.70`,
    spec: QWEN_7B, input: swiftLora(2048, { checkpointing: false }), published: 37.70, unit: 'GiB', measure: 'reserved',
  },
  {
    name: 'ms-swift qwen-7b-chat 2048, eager attention, no checkpointing', source: SWIFT, setting: `${SWIFT_SETTING}; table "Use Flash Attn & Gradient Checkpointing": ✘ ✘ 57.67`,
    // Eager attention in Qwen's code: softmax probabilities materialised (fp32 + bf16 copy), no GQA in Qwen-7B.
    spec: QWEN_7B, input: swiftLora(2048, { checkpointing: false, options: { attention: 'materialised', repeatKv: true } }), published: 57.67, unit: 'GiB', measure: 'reserved',
  },
  {
    name: 'ms-swift qwen-7b-chat 2048, eager attention, checkpointing', source: SWIFT, setting: `${SWIFT_SETTING}; table "Use Flash Attn & Gradient Checkpointing": ✘ ✔ 27.71`,
    spec: QWEN_7B, input: swiftLora(2048, { options: { attention: 'materialised', repeatKv: true } }), published: 27.71, unit: 'GiB', measure: 'reserved', miss: SWIFT_MISS,
  },
];

function predicted(row: Row): number {
  const input: EstimateInput = {
    spec: row.spec, method: 'lora', lora: { r: 8, targets: ['q_proj', 'v_proj'], dropout: 0 }, precision: 'bf16', optimizer: 'adamw',
    batchSize: 1, seqLen: 512, gradAccum: 1, checkpointing: true, profile: 'pytorch-peft', device: 'gpu', ...row.input,
  };
  const m = estimateMemory(input);
  const bytes = row.measure === 'device' ? m.totalBytes : m.totalBytes - m.components.find((c) => c.key === 'runtime')!.bytes;
  return bytes / (row.unit === 'GiB' ? GiB : 1e9);
}

describe('pytorch-peft profile against published peak memory', () => {
  const results = ROWS.map((row) => ({ row, predicted: predicted(row), error: predicted(row) / row.published - 1 }));
  if (process.env.ESTIMATE_TABLE) {
    console.log(results.map((r) => `| ${r.row.name} | ${r.row.published} ${r.row.unit} | ${r.predicted.toFixed(2)} | ${(r.error * 100).toFixed(1)}% | ${r.row.miss ? 'miss (explained)' : 'ok'} |`).join('\n'));
  }

  it.each(results.map((r) => [r.row.name, r] as const))('%s', (_name, r) => {
    expect(r.row.source).toMatch(/^https:\/\//);
    expect(r.row.setting.length).toBeGreaterThan(20);
    if (r.row.miss) {
      // A miss stays a miss until the model learns why; when it comes within ±20%, drop the explanation.
      expect(Math.abs(r.error)).toBeGreaterThan(0.2);
      expect(r.row.miss.length).toBeGreaterThan(50);
    } else {
      expect(Math.abs(r.error)).toBeLessThanOrEqual(0.2);
    }
  });

  it('predicts at least 5 published figures from 3 sources within ±20%', () => {
    const hits = results.filter((r) => !r.row.miss);
    expect(hits.length).toBeGreaterThanOrEqual(5);
    expect(new Set(hits.map((r) => r.row.source)).size).toBe(3);
  });
});
