// The keys of a training config (run.yaml in snake_case, the same keys as --kebab-case flags), their checks and defaults.
import { z } from 'zod';
import { DEFAULT_LORAPLUS_RATIO, LORA_TARGET_NAMES, PROMPT_ENCODERS, TRAIN_METHODS, type TrainMethod } from '../../common/train';
import { FORMAT_NAMES } from '../../data/formats';

/** What --precision accepts; fp8 trains emulated with Transformer Engine's delayed scaling (fp8_margin, fp8_amax_history). */
export const TRAIN_PRECISIONS = ['fp32', 'fp16', 'bf16', 'fp8'] as const;
export type TrainPrecision = (typeof TRAIN_PRECISIONS)[number];

/** What --provider accepts: onnxruntime's execution providers the engine can open sessions on (execution.ts). */
export const TRAIN_PROVIDERS = ['cpu', 'webgpu', 'cuda', 'dml'] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const path = z.string().min(1);

/** Every key a user may set; all optional here, defaults are applied after merging YAML and flags. */
export const TrainConfigInput = z.strictObject({
  model: path,
  data: path,
  eval_data: path,
  format: z.enum(['auto', ...FORMAT_NAMES]),
  method: z.enum(TRAIN_METHODS),
  loraplus_ratio: z.number().positive(),
  rank: int(1, 4096),
  alpha: z.number().positive(),
  dropout: z.number().min(0).max(0.9),
  targets: z.union([z.literal('all-linear'), z.array(z.enum(LORA_TARGET_NAMES)).min(1)]),
  lora_init: z.enum(['gaussian', 'kaiming-uniform']),
  use_rslora: z.boolean(),
  use_dora: z.boolean(),
  stages: int(1, 64),
  virtual_tokens: int(1, 1024),
  encoder: z.enum(PROMPT_ENCODERS),
  encoder_hidden: int(1, 65536),
  l2sp_lambda: z.number().min(0).finite(),
  ewc_lambda: z.number().min(0).finite(),
  ewc_data: path,
  ewc_samples: int(1, 100_000),
  early_stopping: int(0),
  optim: z.enum(['adamw', 'sgd']),
  lr: z.number().positive(),
  weight_decay: z.number().min(0),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]),
  eps: z.number().positive(),
  momentum: z.number().min(0).lt(1),
  max_grad_norm: z.number().min(0),
  schedule: z.enum(['constant', 'linear', 'cosine']),
  warmup_steps: int(0),
  batch_size: int(1, 4096),
  grad_accum: int(1, 65536),
  steps: int(1),
  epochs: z.number().positive().max(10_000),
  max_seq_len: int(1),
  seed: int(0, 2 ** 32 - 1),
  shuffle: z.boolean(),
  eval_every: int(0),
  save_every: int(0),
  init_adapter: path,
  out: path,
  train_on_prompt: z.boolean(),
  packing: z.boolean(),
  truncate: z.boolean(),
  threads: int(1, 256),
  precision: z.enum(TRAIN_PRECISIONS),
  loss_scale: z.union([z.enum(['dynamic', 'none']), z.number().positive().finite()]),
  fp8_margin: int(0, 64),
  fp8_amax_history: int(1, 4096),
  emulate: z.boolean(),
  telemetry_every: int(0),
  provider: z.enum(TRAIN_PROVIDERS),
}).partial();
export type TrainConfigInput = z.infer<typeof TrainConfigInput>;
export type TrainKey = keyof TrainConfigInput;
export const TRAIN_KEYS = Object.keys(TrainConfigInput.shape) as TrainKey[];

/** What each key expects, in the words of an error message ("lr: expected …, got …"). */
export const EXPECTED: Record<TrainKey, string> = {
  model: 'a Hugging Face model folder (config.json + *.safetensors)',
  data: 'a data file (JSONL/JSON/CSV/Parquet: chat, alpaca, text or pre-tokenized rows)',
  eval_data: 'a data file for evaluation',
  format: `one of auto, ${FORMAT_NAMES.join(', ')}`,
  method: 'lora, lora_plus (B learns at lr × loraplus_ratio), plora (LoRA in stages merged one after another), ptuning (virtual tokens), prefix (key/value prefixes in every layer) or full (every weight)',
  loraplus_ratio: 'a positive number (λ = lr of B / lr of A, with method lora_plus), e.g. 16',
  rank: 'an integer from 1 to 4096, e.g. 8',
  alpha: 'a positive number, e.g. 16',
  dropout: 'a number from 0 to 0.9',
  targets: `"all-linear" or a list of ${LORA_TARGET_NAMES.join(', ')} (comma-separated as a flag)`,
  lora_init: 'gaussian or kaiming-uniform',
  use_rslora: 'true or false (rsLoRA: scale alpha/√rank instead of alpha/rank)',
  use_dora: 'true or false (DoRA: a trained magnitude per output row)',
  stages: 'an integer from 1 to 64 (PLoRA stages), e.g. 2',
  virtual_tokens: 'an integer from 1 to 1024 (P-tuning / prefix virtual tokens), e.g. 20',
  encoder: `one of ${PROMPT_ENCODERS.join(', ')} (P-tuning's prompt encoder; for prefix: mlp = a reparameterising MLP, none = a plain table)`,
  encoder_hidden: 'an integer ≥ 1 (the prompt encoder\'s hidden size), e.g. 128',
  l2sp_lambda: 'a number ≥ 0 (L2-SP: decay toward the pre-trained weights, method full), e.g. 0.01',
  ewc_lambda: 'a number ≥ 0 (EWC strength, method full), e.g. 1000',
  ewc_data: 'a data file of general text for EWC\'s Fisher estimate (method full)',
  ewc_samples: 'an integer ≥ 1 (examples for the Fisher estimate), e.g. 64',
  early_stopping: 'an integer ≥ 0: stop after this many evaluations without a better eval loss (0 = off; needs eval_data)',
  optim: 'adamw or sgd',
  lr: 'a positive number, e.g. 2e-4',
  weight_decay: 'a number ≥ 0, e.g. 0.01',
  betas: 'two numbers in [0, 1), e.g. 0.9,0.999',
  eps: 'a positive number, e.g. 1e-8',
  momentum: 'a number in [0, 1)',
  max_grad_norm: 'a number ≥ 0 (0 = no clipping)',
  schedule: 'constant, linear or cosine',
  warmup_steps: 'an integer ≥ 0',
  batch_size: 'an integer from 1 to 4096',
  grad_accum: 'an integer ≥ 1',
  steps: 'an integer ≥ 1 (optimizer steps)',
  epochs: 'a positive number (fractions allowed), e.g. 1',
  max_seq_len: 'an integer ≥ 1, at most the model\'s max_position_embeddings',
  seed: 'an integer from 0 to 4294967295',
  shuffle: 'true or false',
  eval_every: 'an integer ≥ 0 (0 = evaluate at the end only)',
  save_every: 'an integer ≥ 0 (0 = save at the end only)',
  init_adapter: 'a PEFT adapter folder (adapter_config.json + adapter_model.safetensors)',
  out: 'a folder for the run',
  train_on_prompt: 'true or false',
  packing: 'true or false',
  truncate: 'true or false',
  threads: 'an integer from 1 to 256',
  precision: 'fp32, bf16, fp16 or fp8',
  fp8_margin: 'an integer from 0 to 64 (fp8: scale headroom in powers of two)',
  fp8_amax_history: 'an integer from 1 to 4096 (fp8: steps of amax history behind each scale)',
  loss_scale: 'dynamic, none or a positive number (a static scale, e.g. 65536)',
  emulate: 'true or false',
  provider: 'cpu, webgpu, cuda or dml',
  telemetry_every: 'an integer ≥ 0 (0 = off): range telemetry every N steps into telemetry.jsonl',
};

/**
 * Defaults, chosen like Hugging Face TrainingArguments + PEFT's LoraConfig where those have one (AdamW with betas
 * 0.9/0.999, eps 1e-8, weight decay 0, max_grad_norm 1, linear schedule without warmup, seed 42) and like common
 * LoRA recipes where they do not (lr 2e-4, r 8, alpha 16 = 2r, all linear layers). One epoch, not HF's three: a
 * first run should be short, and LoRA on small SFT sets overfits quickly. max_seq_len (min(1024, the model's
 * positions)), threads (this machine's cores) and out (a new folder under the home's runs/) depend on context.
 * Precision fp32 like the Trainer; loss_scale (dynamic for fp16, none otherwise) depends on the precision.
 */
export const TRAIN_DEFAULTS = {
  format: 'auto',
  method: 'lora',
  loraplus_ratio: DEFAULT_LORAPLUS_RATIO,
  rank: 8,
  alpha: 16,
  dropout: 0,
  targets: 'all-linear',
  lora_init: 'gaussian',
  use_rslora: false,
  use_dora: false,
  stages: 2,
  virtual_tokens: 20,
  encoder: 'mlp',
  l2sp_lambda: 0,
  ewc_lambda: 0,
  ewc_samples: 64,
  early_stopping: 0,
  optim: 'adamw',
  lr: 2e-4,
  weight_decay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  momentum: 0,
  max_grad_norm: 1.0,
  schedule: 'linear',
  warmup_steps: 0,
  batch_size: 1,
  grad_accum: 1,
  epochs: 1,
  seed: 42,
  shuffle: true,
  eval_every: 0,
  save_every: 0,
  train_on_prompt: false,
  packing: false,
  truncate: false,
  precision: 'fp32',
  fp8_margin: 0,
  fp8_amax_history: 16,
  emulate: false,
  telemetry_every: 0,
  provider: 'cpu',
} as const satisfies TrainConfigInput;

/**
 * Learning rate and weight decay when none is given, by method. LoRA-family: 2e-4 (above). Full fine-tuning moves
 * every weight, so the common SFT recipes use ~1e-5 with weight decay 0.01 (a smaller step forgets less of what the
 * model knew). Prompt methods train a few thousand values through the whole frozen network and need larger steps:
 * P-tuning v2 and prefix-tuning recipes use 1e-3 to 1e-2; 1e-3 is the cautious end.
 */
export function methodDefaults(method: TrainMethod): { lr: number; weight_decay: number } {
  if (method === 'full') return { lr: 1e-5, weight_decay: 0.01 };
  if (method === 'ptuning' || method === 'prefix') return { lr: 1e-3, weight_decay: 0 };
  return { lr: TRAIN_DEFAULTS.lr, weight_decay: TRAIN_DEFAULTS.weight_decay };
}

/** The loss scale a precision gets when none is given: dynamic for fp16 (its gradients underflow), none otherwise. */
export const defaultLossScale = (precision: TrainPrecision): 'dynamic' | 'none' => (precision === 'fp16' ? 'dynamic' : 'none');

export const DEFAULT_MAX_SEQ_LEN = 1024;

/** The config after merging and defaults: paths absolute; exactly one of steps / epochs; max_seq_len may wait for the model. */
export type TrainConfig = Required<Omit<TrainConfigInput, 'eval_data' | 'init_adapter' | 'steps' | 'epochs' | 'max_seq_len' | 'precision' | 'encoder_hidden' | 'ewc_data'>> & {
  encoder_hidden: number | null; // null: the model's hidden size (known once the model is read)
  ewc_data: string | null;
  precision: TrainPrecision;
  eval_data: string | null;
  init_adapter: string | null;
  steps: number | null;
  epochs: number | null;
  max_seq_len: number | null;
};
