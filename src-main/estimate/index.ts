// The estimator's front: one request (model × method × precision × batch × device) → memory, verdict, fixes, time, cost.
import { cloudPricePerHour, findGpu, gpuMemoryBytes, peakFlops, type GpuEntry } from './catalog';
import { DEFAULT_POWER_FRACTION, estimateCost, type CostEstimate } from './cost';
import { estimateMemory } from './memory';
import { DEFAULT_UTILISATION, estimateTime, stepFlops, type Throughput, type TimeEstimate } from './time';
import type { EstimateInput, MemoryEstimate } from './types';
import { rankFixes, verdictOf, type Fix, type Verdict } from './verdict';

export type { EstimateInput, MemoryEstimate, ProfileOptions } from './types';
export { estimateMemory } from './memory';
export { stepFlops, estimateTime } from './time';
export { verdictOf, rankFixes } from './verdict';
export { GPU_CATALOG, CLOUD_PRICES, findGpu } from './catalog';
export { catalogModel, CATALOG_MODEL_NAMES } from './model-catalog';

export interface CpuDevice {
  memoryBytes: number;
  /** Calibrated fp32 MatMul GFLOP/s (calibrate.ts); null = unknown, no time estimate. */
  matmulGflops: number | null;
  /** Package power while training, W; null = unknown, no energy estimate. */
  powerW: number | null;
}

export interface EstimateRequest extends Omit<EstimateInput, 'device'> {
  /** A catalog GPU (id or name) or 'cpu'. */
  device: string;
  cpu?: CpuDevice;
  datasetTokens?: number | null;
  epochs?: number;
  utilisation?: number;
  measured?: { tokensPerSecond: number; flopsPerToken: number };
  powerW?: number | null;
  pricePerKwh?: number | null;
  pricePerHour?: number | null;
}

export interface EstimateReport {
  device: { kind: 'cpu' | 'gpu'; name: string; capacityBytes: number; gpu: GpuEntry | null };
  memory: MemoryEstimate;
  verdict: Verdict;
  fixes: Fix[];
  time: TimeEstimate | null;
  cost: CostEstimate | null;
}

export class EstimateError extends Error {}

export function resolveDevice(req: EstimateRequest): EstimateReport['device'] {
  if (req.device.toLowerCase() === 'cpu') {
    if (!req.cpu) throw new EstimateError('a CPU estimate needs the machine\'s memory (cpu.memoryBytes)');
    return { kind: 'cpu', name: 'cpu', capacityBytes: req.cpu.memoryBytes, gpu: null };
  }
  const gpu = findGpu(req.device);
  if (!gpu) throw new EstimateError(`unknown device ${JSON.stringify(req.device)}: use cpu or a catalog GPU id (run \`ftstudio estimate --list-devices\`)`);
  return { kind: 'gpu', name: gpu.name, capacityBytes: gpuMemoryBytes(gpu), gpu };
}

export function estimate(req: EstimateRequest): EstimateReport {
  const device = resolveDevice(req);
  const input: EstimateInput = { ...req, device: device.kind };
  const memory = estimateMemory(input);
  const verdict = verdictOf(memory.totalBytes, device.capacityBytes);
  const fixes = verdict.status === 'fits' ? [] : rankFixes(input, device.capacityBytes, device.gpu);

  const t = throughputOf(req, device);
  const time = t == null && !req.measured ? null : estimateTime(input, t ?? { peakFlops: 0, utilisation: 1, source: '' },
    req.datasetTokens ?? null, req.epochs ?? 1, req.measured);
  const cost = time?.totalSeconds == null ? null : costOf(req, device, time.totalSeconds);
  return { device, memory, verdict, fixes, time, cost };
}

/**
 * Our engine on the CPU computes fp16/bf16 as fp32 plus exact rounding (engine/precision/emulate.ts), so a step costs
 * fp32's FLOPs and then some. Measured with tests/bench/emulated-precision.bench.ts (8-layer H 512 LoRA, 2 threads):
 * median step fp32 0.285 s, fp16 0.307 s, bf16 0.438 s. bf16 pays more because its Cast kernels are slower than fp16's.
 */
export const CPU_EMULATION_SLOWDOWN: Record<EstimateRequest['precision'], number> = { fp32: 1, fp16: 1.08, bf16: 1.54 };

/** The device's rate: the GPU's dense peak in the compute precision, or the CPU's calibrated MatMul rate (ours runs
 * fp32, its low precision emulated), × utilisation; null when neither is known. */
export function throughputOf(req: EstimateRequest, device: EstimateReport['device']): Throughput | null {
  const cpuGflops = req.cpu?.matmulGflops ?? null;
  const slowdown = !device.gpu && req.profile === 'ours' ? CPU_EMULATION_SLOWDOWN[req.precision] : 1;
  const peak = device.gpu ? peakFlops(device.gpu, req.profile === 'ours' ? 'fp32' : req.precision) : cpuGflops == null ? null : (cpuGflops * 1e9) / slowdown;
  if (peak == null) return null;
  const utilisation = req.utilisation ?? DEFAULT_UTILISATION[device.kind];
  const emulated = slowdown !== 1 ? `, ÷ ${slowdown} for emulated ${req.precision} (measured)` : '';
  return {
    peakFlops: peak, utilisation,
    source: device.gpu ? `${device.gpu.name} dense ${req.precision} peak × ${utilisation} utilisation` : `calibrated CPU MatMul ${req.cpu?.matmulGflops?.toFixed(0)} GFLOP/s × ${utilisation}${emulated}`,
  };
}

/** Energy and money of `seconds` on the device: the entered power and prices, else the catalog's TDP share and example price. */
export function costOf(req: EstimateRequest, device: EstimateReport['device'], seconds: number): CostEstimate {
  const powerW = req.powerW ?? (device.gpu?.tdpW != null ? device.gpu.tdpW * DEFAULT_POWER_FRACTION : req.cpu?.powerW ?? null);
  const pricePerHour = req.pricePerHour ?? (device.gpu ? cloudPricePerHour(device.gpu) : null);
  return estimateCost({ seconds, powerW, pricePerKwh: req.pricePerKwh ?? null, pricePerHour });
}

/** FLOPs per token of a configuration: what a measured tokens/s of that run is rescaled by. */
export function flopsPerToken(input: EstimateInput): number {
  return stepFlops(input).perToken;
}
