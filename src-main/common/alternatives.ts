// Schemas of the alternatives advisor (prompting, few-shot, RAG, P-tuning, LoRA, full) and of the measured baseline.
import { z } from 'zod';
import { EstimateRunInput, EstimateVerdict } from './estimate';

export const ALTERNATIVE_KINDS = ['prompt', 'few-shot', 'rag', 'ptuning', 'lora', 'full'] as const;
export const AlternativeKind = z.enum(ALTERNATIVE_KINDS);
export type AlternativeKind = z.infer<typeof AlternativeKind>;

const tokens = (max = 1 << 20) => z.number().int().min(0).max(max);

/** The run's settings (the estimate's own), plus what a request looks like and what the person has instead of training. */
export const EstimateAlternativesInput = EstimateRunInput.extend({
  promptTokens: tokens().default(200),
  answerTokens: tokens().default(100),
  instructionTokens: tokens().default(150),
  shots: z.number().int().min(0).max(64).default(3),
  /** Tokens of one few-shot example; default prompt + answer (the dataset's mean length). */
  exampleTokens: tokens().optional(),
  /** The document corpus's size in tokens; null: none (no RAG). */
  corpusTokens: z.number().int().min(1).max(1e13).nullable().default(null),
  retrievedTokens: tokens().default(1024),
  /** Parameters of the embedding model; null: the model's own forward stands in. */
  embeddingParams: z.number().int().min(1).max(1e12).nullable().default(null),
  virtualTokens: z.number().int().min(1).max(1024).default(20),
  encoder: z.enum(['mlp', 'lstm', 'none']).default('mlp'),
  /** The prompt encoder's hidden size; default the model's hidden size. */
  encoderHidden: z.number().int().min(1).max(65536).optional(),
});
export type EstimateAlternativesInput = z.input<typeof EstimateAlternativesInput>;
export type EstimateAlternativesParsed = z.output<typeof EstimateAlternativesInput>;

const Cost = z.object({ hours: z.number(), energyKwh: z.number().nullable(), electricityCost: z.number().nullable(), cloudCost: z.number().nullable() });

export const Alternative = z.object({
  kind: AlternativeKind,
  trains: z.boolean(),
  trainableParams: z.number(),
  memory: z.object({ totalBytes: z.number(), verdict: EstimateVerdict, phase: z.enum(['training', 'inference']) }),
  oneTime: z.object({ flops: z.number().nullable(), seconds: z.number().nullable(), cost: Cost.nullable() }),
  perRequest: z.object({
    tokens: z.number(), extraTokens: z.number(), flops: z.number(), extraFlops: z.number(), extraSeconds: z.number().nullable(), extraCost: Cost.nullable(),
  }),
  repaidAfter: z.array(z.object({ versus: AlternativeKind, requests: z.number().nullable() })),
  notes: z.array(z.string()),
});
export type Alternative = z.infer<typeof Alternative>;

export const EstimateAlternativesOutput = z.object({
  device: z.object({ kind: z.enum(['cpu', 'gpu']), id: z.string(), name: z.string(), capacityBytes: z.number() }),
  baseRequestTokens: z.number(),
  currency: z.string(),
  /** True when the cloud price is the shipped example table's. */
  examplePrice: z.boolean(),
  alternatives: z.array(Alternative),
});
export type EstimateAlternativesOutput = z.infer<typeof EstimateAlternativesOutput>;

/** The base model's loss (and, for short answers, exact match) on an eval split, zero-shot and k-shot: what a fine-tune must beat. */
export const BaselineInput = z.object({
  modelPath: z.string().min(1),
  evalVersionId: z.string().min(1),
  /** Where the few-shot examples come from; default the eval version itself, never the record being scored. */
  trainVersionId: z.string().min(1).optional(),
  shots: z.array(z.number().int().min(0).max(32)).min(1).max(8).default([0, 3]),
  limit: z.number().int().min(1).max(100_000).default(100),
  seed: z.number().int().default(0),
  maxSeqLen: z.number().int().min(8).max(131_072).optional(),
  threads: z.number().int().min(1).max(256).optional(),
  /** Score the model with this adapter folder (a trained run's adapter/): the same measurement for a fine-tune. */
  adapterDir: z.string().min(1).optional(),
  /**
   * Short answers: also generate each record's answer greedily and score exact match (SQuAD normalisation) against the
   * reference. Costs a forward per new token per record (no KV cache), so it is off by default.
   */
  exactMatch: z.boolean().default(false),
  /** With exactMatch: the most new tokens an answer may have (each record stops at its reference's tokens + 8 anyway). */
  maxNewTokens: z.number().int().min(1).max(512).default(32),
}).strict();
export type BaselineInput = z.input<typeof BaselineInput>;
export type BaselineParsed = z.output<typeof BaselineInput>;

export const BaselineJob = z.object({ shots: z.number().int(), jobId: z.string() });
export const BaselineStarted = z.object({ jobs: z.array(BaselineJob), records: z.number().int() });
export type BaselineStarted = z.infer<typeof BaselineStarted>;

export const BaselineRow = z.object({
  shots: z.number().int(),
  jobId: z.string(),
  state: z.string(),
  progress: z.number(),
  /** Mean answer_loss_given_prompt over the scored records (the assistant's tokens given the prompt); null until any. */
  loss: z.number().nullable(),
  /** exp(loss): how many tokens the model is choosing between, on average. */
  ppl: z.number().nullable(),
  scored: z.number().int(),
  errors: z.number().int(),
  records: z.number().int(),
  reason: z.string().nullable(),
  /** The adapter the model ran with; null for the base model. */
  adapter: z.string().nullable(),
  /**
   * With exactMatch: the share of records whose greedy answer equals the reference once SQuAD-normalised, over the same
   * records as the loss; null until any, or when not measured (absent from rows of older servers).
   */
  exactMatch: z.number().min(0).max(1).nullable().optional(),
  /** With exactMatch: one record's generated answer beside the expected one, to see what the model says. */
  generatedSample: z.object({ idx: z.number().int(), generated: z.string(), expected: z.string() }).nullable().optional(),
});
export type BaselineRow = z.infer<typeof BaselineRow>;
export const BaselineResult = z.object({ rows: z.array(BaselineRow) });
export type BaselineResult = z.infer<typeof BaselineResult>;
