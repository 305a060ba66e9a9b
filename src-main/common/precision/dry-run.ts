// The Precision wizard's dry run (trial run): short, emulated training runs of one model and data file in fp32 and in
// the chosen low precision, without and with loss scaling, compared on loss and on the range telemetry of the gradients.
import { z } from 'zod';
import { JobState } from '../jobs';

export const DRY_RUN_DEFAULT_STEPS = 50;
/** Long enough to see a trend, short enough that three emulated runs stay a trial rather than a training. */
export const DRY_RUN_MAX_STEPS = 500;

export const DryRunInput = z.object({
  model: z.string().trim().min(1),
  data: z.string().trim().min(1),
  precision: z.enum(['fp16', 'bf16']).default('fp16'),
  steps: z.number().int().min(1).max(DRY_RUN_MAX_STEPS).default(DRY_RUN_DEFAULT_STEPS),
  lr: z.number().positive().optional(),
  rank: z.number().int().min(1).max(4096).optional(),
  max_seq_len: z.number().int().min(8).max(131_072).optional(),
  batch_size: z.number().int().min(1).max(1024).optional(),
  /** Range telemetry every this many steps; the default is chosen from the run length. */
  telemetry_every: z.number().int().min(1).max(DRY_RUN_MAX_STEPS).optional(),
}).strict();
export type DryRunInput = z.input<typeof DryRunInput>;
export type DryRunParsed = z.output<typeof DryRunInput>;

/** reference: fp32; unscaled: the chosen precision with loss_scale none; scaled: fp16 with dynamic loss scaling. */
export const DryRunVariantId = z.enum(['reference', 'unscaled', 'scaled']);
export type DryRunVariantId = z.infer<typeof DryRunVariantId>;

export const DryRunStarted = z.object({
  precision: z.enum(['fp16', 'bf16']),
  jobIds: z.array(z.string()),
  variants: z.array(z.object({ variant: DryRunVariantId, jobId: z.string(), runDir: z.string() })),
});
export type DryRunStarted = z.infer<typeof DryRunStarted>;

/** Means over the run's gradient telemetry lines, each a share of the gradient values (see range-telemetry.ts). */
export const GradientShares = z.object({
  /** Non-zero values a cast to the format would flush to zero. */
  underflow: z.number(),
  /** Non-zero values that would land among the format's subnormals (few significant bits left). */
  subnormal: z.number(),
  /** Values beyond the format's largest. */
  overflow: z.number(),
  /** Values that are exactly zero already (e.g. flushed inside a low-precision backward pass); share of all values. */
  zeros: z.number(),
  /** Telemetry lines the means are over. */
  lines: z.number().int(),
});
export type GradientShares = z.infer<typeof GradientShares>;

export const DryRunVariant = z.object({
  variant: DryRunVariantId,
  jobId: z.string(),
  precision: z.enum(['fp32', 'fp16', 'bf16']),
  lossScale: z.enum(['none', 'dynamic']),
  state: JobState,
  progress: z.number(),
  reason: z.string().nullable(),
  steps: z.number().int(),
  stepsDone: z.number().int(),
  firstLoss: z.number().nullable(),
  lastLoss: z.number().nullable(),
  /** (last loss − fp32's loss at the same step) / fp32's: the runs see the same batches in the same order (one seed). */
  gapToFp32: z.number().nullable(),
  overflowSteps: z.number().int(),
  skippedSteps: z.number().int(),
  /** The loss scale of the last step; null without loss scaling. */
  finalLossScale: z.number().nullable(),
  /** The format the shares are for: the run's own, and for the fp32 reference the format being tried. */
  format: z.enum(['fp16', 'bf16']),
  grad: GradientShares.nullable(),
});
export type DryRunVariant = z.infer<typeof DryRunVariant>;

export const DryRunVerdict = z.object({
  status: z.enum(['needed', 'not-needed', 'pending', 'unknown']),
  title: z.string(),
  reason: z.string(),
});
export type DryRunVerdict = z.infer<typeof DryRunVerdict>;

export const DryRunResult = z.object({
  precision: z.enum(['fp16', 'bf16']),
  done: z.boolean(),
  variants: z.array(DryRunVariant),
  verdict: DryRunVerdict,
});
export type DryRunResult = z.infer<typeof DryRunResult>;
