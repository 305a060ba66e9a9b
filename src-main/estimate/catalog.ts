// The hardware catalog (resources/gpu-catalog.json) and the example cloud prices, validated, with lookups.
import { z } from 'zod';
import catalogJson from '../../resources/gpu-catalog.json';
import pricesJson from '../../resources/cloud-prices.json';
import type { Precision } from './types';

const Tflops = z.number().positive().nullable();
export const GpuEntry = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string(),
  memoryGiB: z.number().positive(),
  tflops: z.object({ fp32: Tflops, fp16: Tflops, bf16: Tflops, fp8: Tflops }),
  computeCapability: z.string().regex(/^\d+\.\d$/),
  tdpW: z.number().positive().nullable(),
  sources: z.array(z.string().url()).min(1),
  checked: z.boolean(),
  note: z.string(),
});
export type GpuEntry = z.infer<typeof GpuEntry>;

const Catalog = z.object({ about: z.string(), date: z.string(), gpus: z.array(GpuEntry).min(12) });
const Prices = z.object({ about: z.string(), date: z.string(), currency: z.string(), example: z.boolean(), perHour: z.record(z.string(), z.number().positive()) });
export type CloudPrices = z.infer<typeof Prices>;

export const GPU_CATALOG: readonly GpuEntry[] = Catalog.parse(catalogJson).gpus;
export const CLOUD_PRICES: CloudPrices = Prices.parse(pricesJson);

const GiB = 2 ** 30;
export const gpuMemoryBytes = (g: GpuEntry): number => g.memoryGiB * GiB;

const norm = (s: string) => s.toLowerCase().replace(/nvidia|geforce|[^a-z0-9]/g, '');

/** By id ('h100-sxm') or by name without spaces and brand ('H100 SXM 80GB', 'rtx4090'). */
export function findGpu(name: string): GpuEntry | null {
  const key = norm(name);
  return GPU_CATALOG.find((g) => g.id === name.toLowerCase() || norm(g.id) === key || norm(g.name) === key)
    ?? GPU_CATALOG.find((g) => norm(g.name).startsWith(key) || norm(g.id).startsWith(key)) ?? null;
}

function capability(g: GpuEntry): number {
  return Number(g.computeCapability);
}

/** bf16 needs compute capability ≥ 8.0 (Ampere), fp8 ≥ 8.9 (Ada, Hopper). */
export function supports(g: GpuEntry, dtype: Precision | 'fp8'): boolean {
  if (dtype === 'bf16') return capability(g) >= 8.0;
  if (dtype === 'fp8') return capability(g) >= 8.9;
  return true;
}

/** Dense peak FLOP/s in a precision; fp32 training uses the non-tensor rate (PyTorch leaves TF32 off for matmuls). */
export function peakFlops(g: GpuEntry, precision: Precision): number | null {
  const t = g.tflops[precision];
  return t == null ? null : t * 1e12;
}

export function cloudPricePerHour(g: GpuEntry): number | null {
  return CLOUD_PRICES.perHour[g.id] ?? null;
}
