// Schemas of the hardware report: what this machine has and which onnxruntime execution providers really work.
import { z } from 'zod';

export const GpuInfo = z.object({
  index: z.number().int(),
  name: z.string(),
  memoryMiB: z.number(),
  computeCapability: z.string().nullable(),
  driver: z.string().nullable(),
});
export type GpuInfo = z.infer<typeof GpuInfo>;

export const ExecutionProviderStatus = z.object({
  name: z.string(),
  works: z.boolean(),
  error: z.string().optional(),
});
export type ExecutionProviderStatus = z.infer<typeof ExecutionProviderStatus>;

export const HardwareReport = z.object({
  cpu: z.object({ model: z.string(), cores: z.number().int(), logicalCores: z.number().int(), arch: z.string() }),
  memory: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
  disk: z.object({ path: z.string(), freeBytes: z.number().nullable(), totalBytes: z.number().nullable() }),
  gpus: z.array(GpuInfo),
  gpuProbe: z.string(), // how GPUs were looked for, and what was found (e.g. "nvidia-smi not found")
  os: z.object({ platform: z.string(), release: z.string() }),
  onnxruntime: z.object({ version: z.string().nullable(), providers: z.array(ExecutionProviderStatus) }),
  node: z.string(),
  detectedAt: z.string(),
});
export type HardwareReport = z.infer<typeof HardwareReport>;
