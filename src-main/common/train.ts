// The parameters of a training job as the engine receives them: resolved by main (CLI, wizard) and checked by both ends.
import { z } from 'zod';
import { SUPPORTED_ARCHITECTURES } from './model-spec';

export const LORA_TARGET_NAMES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

export const ModelSpecSchema = z.object({
  architecture: z.enum(SUPPORTED_ARCHITECTURES),
  hiddenSize: z.number().int().positive(),
  intermediateSize: z.number().int().positive(),
  numLayers: z.number().int().positive(),
  numHeads: z.number().int().positive(),
  numKvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  vocabSize: z.number().int().positive(),
  maxPositions: z.number().int().positive(),
  rmsNormEps: z.number().positive(),
  ropeTheta: z.number().positive(),
  ropeScaling: z.object({
    type: z.literal('llama3'), factor: z.number(), lowFreqFactor: z.number(), highFreqFactor: z.number(), originalMaxPositions: z.number().int(),
  }).nullable(),
  tieWordEmbeddings: z.boolean(),
  attentionBias: z.boolean(),
  qkNorm: z.boolean(),
  slidingWindow: z.number().int().nullable(),
  torchDtype: z.string().nullable(),
});

/**
 * Adapter methods the trainer runs: LoRA; LoRA+ (LoRA with B learning λ× faster; only the optimizer differs); PLoRA
 * (LoRA in stages, each merged into the base weights before the next starts); P-tuning (virtual tokens from a prompt
 * encoder); prefix tuning (P-tuning v2: learned key/value prefixes in every layer); full fine-tuning.
 */
export const TRAIN_METHODS = ['lora', 'lora_plus', 'plora', 'ptuning', 'prefix', 'full'] as const;
export type TrainMethod = (typeof TRAIN_METHODS)[number];
/** LoRA+'s λ = lr_B / lr_A when none is given (the LoRA+ paper's and PEFT's usual choice). */
export const DEFAULT_LORAPLUS_RATIO = 16;
/** Methods whose trainable tensors are LoRA A/B pairs (and share the LoRA settings). */
export const LORA_METHODS: readonly TrainMethod[] = ['lora', 'lora_plus', 'plora'];
export const PROMPT_ENCODERS = ['lstm', 'mlp', 'none'] as const;
export type PromptEncoderKind = (typeof PROMPT_ENCODERS)[number];

export const LoraSettings = z.object({
  r: z.number().int().min(1).max(4096),
  alpha: z.number().positive(),
  dropout: z.number().min(0).max(0.9).default(0),
  targets: z.union([z.literal('all-linear'), z.array(z.enum(LORA_TARGET_NAMES)).min(1)]),
  init: z.enum(['gaussian', 'kaiming-uniform']).default('gaussian'),
  // rsLoRA (scale α/√r) and DoRA (a trained magnitude per output row); absent = off, so older run hashes hold.
  useRslora: z.boolean().optional(),
  useDora: z.boolean().optional(),
});
export type LoraSettings = z.infer<typeof LoraSettings>;

export const TrainJobParams = z.object({
  modelDir: z.string().min(1), // a Hugging Face folder: config.json + *.safetensors (never written to)
  spec: ModelSpecSchema,
  trainData: z.string().min(1), // tokenized JSONL ({"input_ids": […], "labels": […]} per line), inside the run folder
  evalData: z.string().min(1).nullable(),
  padId: z.number().int().min(0),
  method: z.enum(TRAIN_METHODS),
  // LoRA+ (method lora_plus): the B matrices learn at lr × λ, the A matrices at lr. Absent for plain LoRA, so the
  // settings (and the resume hash of run folders made before LoRA+) stay as they were; the trainer's default is 16.
  loraPlusRatio: z.number().positive().optional(),
  lora: LoraSettings,
  // PLoRA (method plora): the number of stages; steps are split evenly between them.
  stages: z.number().int().min(1).max(64).optional(),
  // P-tuning / prefix tuning (methods ptuning, prefix). encoder: P-tuning's prompt encoder; for prefix tuning 'mlp'
  // means PEFT's prefix_projection and 'none' a plain prefix table ('lstm' is refused).
  prompt: z.object({
    virtualTokens: z.number().int().min(1).max(1024),
    encoder: z.enum(PROMPT_ENCODERS),
    encoderHidden: z.number().int().min(1).max(65536),
  }).optional(),
  // Full fine-tuning's forgetting guards: L2-SP (decay toward the pre-trained weights) and EWC (the same, weighted by
  // a diagonal Fisher estimated on `ewcData`, tokenized like trainData, before the first step).
  guards: z.object({
    l2spLambda: z.number().min(0),
    ewcLambda: z.number().min(0),
    ewcData: z.string().min(1).nullable(),
    ewcSamples: z.number().int().min(1).max(100_000),
  }).optional(),
  // Stop after this many evaluations without a lower eval loss (absent or 0: off).
  earlyStopping: z.number().int().min(0).optional(),
  initAdapter: z.string().min(1).nullable(), // a PEFT adapter folder to start from
  optimizer: z.enum(['adamw', 'sgd']),
  lr: z.number().positive(),
  weightDecay: z.number().min(0),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]),
  eps: z.number().positive(),
  momentum: z.number().min(0).lt(1),
  maxGradNorm: z.number().min(0), // 0 = no clipping
  schedule: z.enum(['constant', 'linear', 'cosine']),
  warmupSteps: z.number().int().min(0),
  batchSize: z.number().int().min(1),
  gradAccum: z.number().int().min(1),
  steps: z.number().int().min(1), // optimizer steps in total (main resolves --epochs into steps)
  seed: z.number().int().min(0),
  shuffle: z.boolean(),
  evalEvery: z.number().int().min(0), // 0 = only at the end
  saveEvery: z.number().int().min(0), // 0 = only at the end (and on cancel)
  threads: z.number().int().min(1).max(256),
  // Mixed precision (emulated autocast on CPU, engine/nn/precision.ts) and loss scaling. Both optional and absent for
  // fp32 runs, so the resume hash of existing run folders is unchanged. Loss scale default: dynamic for fp16, else none
  // (fp8 too: its per-tensor delayed scaling keeps gradients in E5M2's range, as Transformer Engine needs no loss scale).
  precision: z.enum(['fp32', 'fp16', 'bf16', 'fp8']).optional(),
  // fp8 delayed scaling (engine/precision/delayed-scaling.ts); absent keys take its defaults (margin 0, 16 steps).
  fp8: z.strictObject({ margin: z.number().int().min(0).max(64), amaxHistoryLen: z.number().int().min(1).max(4096) }).partial().optional(),
  lossScale: z.union([z.literal('dynamic'), z.literal('none'), z.number().positive()]).optional(),
  // Range telemetry every N optimizer steps into telemetry.jsonl (engine/train/telemetry.ts); absent (or 0) = off, so
  // the params, and the resume hash, of runs without it stay as they were.
  telemetryEvery: z.number().int().min(0).optional(),
  // The execution provider of the run's sessions (absent = cpu; ORT places nodes the provider lacks on the CPU), and
  // whether fp16's autocast matmuls run on its float16 kernels (nn/precision.ts lowpMatmul) instead of emulated. Both
  // absent for CPU runs, so their params and resume hash are unchanged.
  provider: z.enum(['cpu', 'cuda', 'webgpu', 'dml']).optional(),
  nativePrecision: z.boolean().optional(),
});
export type TrainJobParams = z.infer<typeof TrainJobParams>;

/** One line of metrics.jsonl per optimizer step; eval rows carry eval_loss instead of loss. */
export interface TrainMetricsRow {
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens: number; // input tokens processed in the step (padding excluded)
  trained_tokens: number; // tokens the loss counted (after the shift, labels ≠ -100)
  tokens_per_s: number;
  elapsed_s: number;
  epoch: number; // fractional epochs done
  // With loss scaling only: the scale this step's loss was multiplied by, whether its gradients overflowed (the step
  // was skipped), and the skipped steps so far.
  loss_scale?: number;
  overflow?: 0 | 1;
  skipped_steps?: number;
  /** PLoRA only: the stage (1-based) this step trained in. */
  stage?: number;
}
export interface EvalMetricsRow { step: number; eval_loss: number; eval_tokens: number; eval_ppl: number; elapsed_s: number }

/** What the app's Train page sends: the same keys as run.yaml (snake_case); main fills in defaults and checks them all. */
export const TrainStartInput = z.object({
  model: z.string().min(1),
  data: z.string().min(1),
  eval_data: z.string().optional(),
  method: z.enum(TRAIN_METHODS).optional(),
  loraplus_ratio: z.number().optional(),
  rank: z.number().optional(),
  alpha: z.number().optional(),
  dropout: z.number().optional(),
  lora_init: z.enum(['gaussian', 'kaiming-uniform']).optional(),
  use_rslora: z.boolean().optional(),
  use_dora: z.boolean().optional(),
  stages: z.number().optional(),
  virtual_tokens: z.number().optional(),
  encoder: z.enum(PROMPT_ENCODERS).optional(),
  encoder_hidden: z.number().optional(),
  ewc_lambda: z.number().optional(),
  l2sp_lambda: z.number().optional(),
  ewc_data: z.string().optional(),
  ewc_samples: z.number().optional(),
  early_stopping: z.number().optional(),
  weight_decay: z.number().optional(),
  targets: z.union([z.literal('all-linear'), z.array(z.enum(LORA_TARGET_NAMES))]).optional(),
  lr: z.number().optional(),
  steps: z.number().optional(),
  epochs: z.number().optional(),
  batch_size: z.number().optional(),
  grad_accum: z.number().optional(),
  max_seq_len: z.number().optional(),
  seed: z.number().optional(),
  eval_every: z.number().optional(),
  save_every: z.number().optional(),
  // LoRA / LoRA+: continue from a PEFT adapter folder (its rank, alpha, targets and variants must be the run's).
  init_adapter: z.string().optional(),
  out: z.string().optional(),
  // Mixed precision as run.yaml has it; main fills the loss scale's default (dynamic for fp16, none otherwise).
  precision: z.enum(['fp32', 'fp16', 'bf16', 'fp8']).optional(),
  loss_scale: z.union([z.literal('dynamic'), z.literal('none'), z.number()]).optional(),
  telemetry_every: z.number().optional(),
  // The execution provider (services/train/execution.ts): checked before the run folder is written.
  provider: z.enum(['cpu', 'webgpu', 'cuda', 'dml']).optional(),
  // Intra-op threads (default: every core); the dry run shares the cores between the trainings it runs at once.
  threads: z.number().optional(),
}).strict();
export type TrainStartInput = z.infer<typeof TrainStartInput>;
