// Schemas of the estimator's API: a run's settings in (model × method × precision × batch × device) and its memory, verdict, fixes, time and cost out.
import { z } from 'zod';

/** The projections LoRA can adapt (the engine's LORA_TARGETS; repeated here because common imports nothing of ours). */
export const ESTIMATE_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export const EstimatePrecision = z.enum(['fp32', 'fp16', 'bf16']);
export type EstimatePrecision = z.infer<typeof EstimatePrecision>;
export const EstimateTargets = z.union([z.literal('all-linear'), z.array(z.enum(ESTIMATE_TARGETS)).min(1)]);
export type EstimateTargets = z.infer<typeof EstimateTargets>;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const money = z.number().min(0).nullable().optional();

export const EstimateRunInput = z.object({
  /** A catalog model name ('Llama-2-7B') or a model folder with a config.json. */
  model: z.string().trim().min(1),
  method: z.enum(['lora', 'full', 'ptuning']).default('lora'),
  rank: int(1, 4096).default(8),
  /** Method 'ptuning': PEFT's PromptEncoderConfig (the virtual tokens lengthen every sequence the model sees). */
  ptuning: z.object({ virtualTokens: int(1, 1024), encoder: z.enum(['mlp', 'lstm', 'none']), encoderHidden: int(1, 65536) }).optional(),
  targets: EstimateTargets.default('all-linear'),
  precision: EstimatePrecision.default('fp32'),
  optimizer: z.enum(['adamw', 'sgd', 'sgd-momentum']).default('adamw'),
  batchSize: int(1, 4096).default(1),
  seqLen: int(2, 1 << 20).default(512),
  gradAccum: int(1, 65536).default(1),
  checkpointing: z.boolean().default(false),
  /** A catalog GPU id, or 'cpu' (this machine's memory). */
  device: z.string().trim().min(1).default('cpu'),
  profile: z.enum(['ours', 'pytorch-peft']).default('ours'),
  /** The dataset's token count and epochs, for an ETA; without tokens only the rate is known. */
  tokens: z.number().int().min(1).nullable().optional(),
  epochs: z.number().min(0.001).max(10_000).optional(),
  powerW: z.number().positive().nullable().optional(),
  pricePerKwh: money,
  pricePerHour: money,
}).strict();
export type EstimateRunInput = z.input<typeof EstimateRunInput>;
export type EstimateRunParsed = z.output<typeof EstimateRunInput>;

export const MEMORY_KEYS = ['weights', 'trainableParams', 'gradients', 'optimizerState', 'masterWeights', 'activations',
  'logits', 'loraIntermediates', 'workspace', 'allocatorSlack', 'runtime'] as const;
export const MemoryKey = z.enum(MEMORY_KEYS);
export type MemoryKey = z.infer<typeof MemoryKey>;

export const EstimateVerdict = z.object({
  status: z.enum(['fits', 'tight', 'oom']),
  usedBytes: z.number(),
  capacityBytes: z.number(),
  marginBytes: z.number(),
  share: z.number(),
});
export type EstimateVerdict = z.infer<typeof EstimateVerdict>;

/** The settings a fix changes, named as the run input names them (so applying one is a plain merge). */
export const FixChange = z.object({
  batchSize: z.number().int().optional(),
  gradAccum: z.number().int().optional(),
  checkpointing: z.boolean().optional(),
  seqLen: z.number().int().optional(),
  method: z.enum(['lora', 'full']).optional(),
  rank: z.number().int().optional(),
  targets: EstimateTargets.optional(),
  precision: EstimatePrecision.optional(),
  device: z.string().optional(),
});
export type FixChange = z.infer<typeof FixChange>;

export const EstimateFix = z.object({
  kind: z.string(),
  title: z.string(),
  change: FixChange,
  totalBytes: z.number(),
  savedBytes: z.number(),
  verdict: EstimateVerdict,
  timeFactor: z.number(),
  changesResult: z.boolean(),
  note: z.string(),
});
export type EstimateFix = z.infer<typeof EstimateFix>;

export const EstimateTime = z.object({
  flopsPerStep: z.number(),
  tokensPerStep: z.number(),
  tokensPerSecond: z.number(),
  stepSeconds: z.number(),
  totalSeconds: z.number().nullable(),
  steps: z.number().nullable(),
  source: z.string(),
  /** Which calibration the rate came from: a catalog GPU's peak, this CPU's MatMul benchmark, or an earlier run's tokens/s. */
  basis: z.enum(['gpu-peak', 'cpu-benchmark', 'measured-run']).optional(),
  /** When both CPU calibrations exist: the rate the one not used would give, to compare. */
  otherRate: z.object({ basis: z.enum(['cpu-benchmark', 'measured-run']), tokensPerSecond: z.number() }).nullable().optional(),
});

export const EstimateCost = z.object({
  hours: z.number(),
  powerW: z.number().nullable(),
  energyKwh: z.number().nullable(),
  electricityCost: z.number().nullable(),
  cloudCost: z.number().nullable(),
  pricePerHour: z.number().nullable(),
  currency: z.string(),
  /** True when the cloud price is the shipped example table's (dated), not one the user entered. */
  examplePrice: z.boolean(),
  priceDate: z.string(),
});

export const EstimateRunOutput = z.object({
  model: z.object({ name: z.string(), source: z.enum(['catalog', 'folder']), architecture: z.string(), numLayers: z.number(), hiddenSize: z.number() }),
  device: z.object({ kind: z.enum(['cpu', 'gpu']), id: z.string(), name: z.string(), capacityBytes: z.number() }),
  memory: z.object({
    components: z.array(z.object({ key: MemoryKey, bytes: z.number(), note: z.string() })),
    totalBytes: z.number(),
    perLayerActivationBytes: z.number(),
    params: z.object({ total: z.number(), trainable: z.number(), matmul: z.number() }),
    warnings: z.array(z.string()),
  }),
  verdict: EstimateVerdict,
  fixes: z.array(EstimateFix),
  time: EstimateTime.nullable(),
  cost: EstimateCost.nullable(),
});
export type EstimateRunOutput = z.infer<typeof EstimateRunOutput>;

export const EstimateOptions = z.object({
  models: z.array(z.object({
    name: z.string(), architecture: z.string(), params: z.number(), numLayers: z.number(), hiddenSize: z.number(),
    numHeads: z.number(), vocabSize: z.number(), maxPositions: z.number(),
  })),
  devices: z.array(z.object({
    id: z.string(), name: z.string(), kind: z.enum(['cpu', 'gpu']), memoryBytes: z.number(), bf16: z.boolean(),
    pricePerHour: z.number().nullable(),
  })),
  precisions: z.array(EstimatePrecision),
  targets: z.array(z.enum(ESTIMATE_TARGETS)),
  currency: z.string(),
  priceDate: z.string(),
});
export type EstimateOptions = z.infer<typeof EstimateOptions>;
