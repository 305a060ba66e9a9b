// The zod schema of one telemetry.jsonl line (see engine/train/telemetry.ts), as the API hands it to the renderer.
// Compatible growth only: lines written before the activation kind (no `tensors`, LoRA groups only) still parse.
import { z } from 'zod';

const Shares = z.object({ underflow: z.number(), subnormal: z.number(), overflow: z.number() });

export const RangeSummarySchema = z.object({
  count: z.number(),
  zeros: z.number(),
  nonFinite: z.number(),
  bins: z.object({ from: z.number().int(), counts: z.array(z.number()) }),
  shares: z.object({ fp16: Shares, bf16: Shares, fp8e4m3: Shares, fp8e5m2: Shares }),
});

/** grad: as the optimizer receives them; weight: after the step; activation: the inputs of the linears (forward casts). */
export const TelemetryKindSchema = z.enum(['grad', 'weight', 'activation']);
export type TelemetryKindId = z.infer<typeof TelemetryKindSchema>;

/**
 * Activation groups: the input of which linears (engine/nn/build.ts exposeActivations), over all layers.
 * qkv_input = input_layernorm's output, gate_up_input = post_attention_layernorm's output.
 */
export const ACTIVATION_GROUPS = ['qkv_input', 'o_proj_input', 'gate_up_input', 'down_proj_input', 'lm_head_input'] as const;
export type ActivationGroup = (typeof ACTIVATION_GROUPS)[number];

export const TelemetryLine = RangeSummarySchema.extend({
  step: z.number().int(),
  kind: TelemetryKindSchema,
  groups: z.object({
    lora_A: RangeSummarySchema.optional(),
    lora_B: RangeSummarySchema.optional(),
    qkv_input: RangeSummarySchema.optional(),
    o_proj_input: RangeSummarySchema.optional(),
    gate_up_input: RangeSummarySchema.optional(),
    down_proj_input: RangeSummarySchema.optional(),
    lm_head_input: RangeSummarySchema.optional(),
  }).default({}),
  /** Activation lines: each exposed tensor on its own, by site (`model.layers.0.mlp.down_proj.input`). */
  tensors: z.record(z.string(), RangeSummarySchema).optional(),
});
export type TelemetryLine = z.infer<typeof TelemetryLine>;
