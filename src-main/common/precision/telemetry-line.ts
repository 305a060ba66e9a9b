// The zod schema of one telemetry.jsonl line (see engine/train/telemetry.ts), as the API hands it to the renderer.
import { z } from 'zod';

const Shares = z.object({ underflow: z.number(), subnormal: z.number(), overflow: z.number() });

export const RangeSummarySchema = z.object({
  count: z.number(),
  zeros: z.number(),
  nonFinite: z.number(),
  bins: z.object({ from: z.number().int(), counts: z.array(z.number()) }),
  shares: z.object({ fp16: Shares, bf16: Shares, fp8e4m3: Shares, fp8e5m2: Shares }),
});

export const TelemetryKindSchema = z.enum(['grad', 'weight']);

export const TelemetryLine = RangeSummarySchema.extend({
  step: z.number().int(),
  kind: TelemetryKindSchema,
  groups: z.object({ lora_A: RangeSummarySchema.optional(), lora_B: RangeSummarySchema.optional() }).default({}),
});
export type TelemetryLine = z.infer<typeof TelemetryLine>;
