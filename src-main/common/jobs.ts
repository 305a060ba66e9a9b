// Schemas of jobs (engine processes run by the supervisor) and the messages they exchange with main.
import { z } from 'zod';
import { LoraSettings } from './train';

export const JobKind = z.enum(['selftest', 'train', 'score', 'init-check', 'calibrate']);
export type JobKind = z.infer<typeof JobKind>;

/** queued → running → (completed | failed | cancelled | interrupted). interrupted = main died while it ran. */
export const JobState = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type JobState = z.infer<typeof JobState>;

export const Job = z.object({
  id: z.string(),
  kind: JobKind,
  state: JobState,
  params: z.record(z.string(), z.unknown()),
  progress: z.number().min(0).max(1),
  message: z.string().nullable(),
  reason: z.string().nullable(), // why it failed / was interrupted, e.g. "engine process killed by SIGABRT"
  resumable: z.boolean(),
  runDir: z.string().nullable(),
  pid: z.number().int().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

/** Parameters of the self-test job: it counts to `steps`, sleeping (and optionally blocking) between, and can be told to crash or hang. */
export const SelftestParams = z.object({
  steps: z.number().int().min(1).max(100_000).default(10),
  stepMs: z.number().int().min(0).max(60_000).default(50),
  crashAtStep: z.number().int().min(0).optional(), // process.abort() at this step
  ignoreCancel: z.boolean().optional(), // to test the kill after the grace period
  blockMs: z.number().int().min(0).max(120_000).optional(), // each step also blocks its thread this long, as ORT's run() does
});
export type SelftestParams = z.infer<typeof SelftestParams>;

/**
 * Parameters of the score job: per-record loss-based quality scores (IFD) of a canonical-conversation JSONL file
 * ({"idx", "messages", "system"?, "tools"?} per line) under a model's forward pass. Defaults that depend on the model
 * or the run folder are resolved by the engine: outFile <runDir>/scores.jsonl, maxSeqLen min(1024, model positions).
 */
export const ScoreParams = z.object({
  modelDir: z.string().min(1), // a Hugging Face folder with config.json, *.safetensors, tokenizer.json and a chat template
  dataFile: z.string().min(1),
  outFile: z.string().min(1).optional(),
  maxSeqLen: z.number().int().min(2).max(1_048_576).optional(),
  threads: z.number().int().min(1).max(256).optional(),
  /** The dataset version the records came from: main stores the scores under it when the job completes. */
  versionId: z.string().min(1).optional(),
  /** Score under the model with this adapter (PEFT LoRA or prompt adapter written by this app); absent: the base model. */
  adapterDir: z.string().min(1).optional(),
  /**
   * Also generate each record's last answer greedily from the turns before it and score exact match against it (SQuAD
   * normalisation). maxNewTokens caps the answer; each record gets at most its reference answer's tokens + 8.
   */
  generate: z.object({ maxNewTokens: z.number().int().min(1).max(4096) }).strict().optional(),
});
export type ScoreParams = z.infer<typeof ScoreParams>;

/**
 * Parameters of the init-check job: the base model's loss on a short text, and the same model with a freshly
 * initialised adapter (B = 0), which must be the same number; and, as a control, with B drawn like A, which must not.
 */
export const InitCheckParams = z.object({
  modelDir: z.string().min(1),
  lora: LoraSettings,
  seed: z.number().int().min(0).default(42),
  /** The text to evaluate on (tokenized with the model's tokenizer); a fixed sentence when absent. */
  text: z.string().min(1).max(4000).optional(),
  threads: z.number().int().min(1).max(256).optional(),
});
export type InitCheckParams = z.infer<typeof InitCheckParams>;

/** What the init-check job finds (OUT/init-check.json). */
export const InitCheckResult = z.object({
  tokens: z.number(),
  base_loss: z.number(),
  adapter_loss: z.number(),
  /** adapter_loss === base_loss, bit for bit. */
  identical: z.boolean(),
  abs_diff: z.number(),
  /** The loss with B drawn like A instead of zero: it must differ, or the check could not see a change. */
  control_loss: z.number(),
});
export type InitCheckResult = z.infer<typeof InitCheckResult>;

export const JobProgressEvent = z.object({
  id: z.string(),
  progress: z.number(),
  message: z.string().nullable(),
  rate: z.number().nullable(), // units per second
  etaSeconds: z.number().nullable(),
});
export type JobProgressEvent = z.infer<typeof JobProgressEvent>;

export const JobLogEvent = z.object({ id: z.string(), level: z.enum(['debug', 'info', 'warn', 'error']), text: z.string() });
export type JobLogEvent = z.infer<typeof JobLogEvent>;

export const JobMetricsEvent = z.object({ id: z.string(), step: z.number().int(), values: z.record(z.string(), z.number()) });
export type JobMetricsEvent = z.infer<typeof JobMetricsEvent>;
