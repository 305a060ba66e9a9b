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

/** One probed kernel: `op` on `format` tensors ran on the provider itself, in that type, within the format's tolerance. */
export const KernelCheck = z.object({
  op: z.string(), // MatMul, Add, Softmax; Cast for fp8 (ONNX's MatMul takes no float8 type)
  format: z.enum(['fp16', 'bf16', 'fp8e4m3', 'fp8e5m2']),
  /** null: not probed (time budget spent). */
  ok: z.boolean().nullable(),
  reason: z.string(),
});
export type KernelCheck = z.infer<typeof KernelCheck>;

/**
 * Low-precision kernels an execution provider really has, probed by running tiny graphs (services/hardware/
 * kernel-probe.ts): fp16 and bf16 are the MatMul's answer, fp8 the Casts' (to and from E4M3 and E5M2).
 */
export const KernelSupport = z.object({
  fp16: z.boolean().nullable(),
  bf16: z.boolean().nullable(),
  fp8: z.boolean().nullable(),
  note: z.string(),
  checks: z.array(KernelCheck).optional(),
  /** Wall time of the whole probe on this provider. */
  ms: z.number().optional(),
});
export type KernelSupport = z.infer<typeof KernelSupport>;

export const ExecutionProviderStatus = z.object({
  name: z.string(),
  works: z.boolean(),
  error: z.string().optional(),
  /** Only for providers that work; absent from reports made before the kernel probe existed. */
  kernels: KernelSupport.optional(),
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
