// Which precisions a device can run for real, and the one to train in: bf16 where the hardware has it, else fp16 with
// dynamic loss scaling, fp32 on a CPU (low precision there is only an emulated preview), fp8 only where supported and
// then marked experimental. Compute capability decides for NVIDIA GPUs: fp16 tensor cores from 7.0 (V100, T4), bf16
// from 8.0 (A100), fp8 from 8.9 (L4, L40S, H100).
import type { HardwareReport } from '../hardware';

export type TrainPrecision = 'fp32' | 'fp16' | 'bf16';

export interface PrecisionSupport {
  fp16: boolean;
  bf16: boolean;
  fp8: boolean;
}

export interface PrecisionAdvice {
  device: string;
  kind: 'cpu' | 'gpu';
  support: PrecisionSupport;
  /** Whether this engine can run on the device now (a GPU needs a working CUDA or WebGPU provider). */
  engineRuns: boolean;
  precision: TrainPrecision;
  lossScale: 'none' | 'dynamic';
  /** Low precision computed in fp32 with exact rounding (the CPU, or a GPU the engine cannot use). */
  emulated: boolean;
  fp8: 'experimental' | 'unsupported';
  reasons: string[];
}

function ccNumber(cc: string | null): number | null {
  if (!cc) return null;
  const n = Number.parseFloat(cc);
  return Number.isFinite(n) ? n : null;
}

export function supportFromComputeCapability(cc: string | null): PrecisionSupport {
  const n = ccNumber(cc);
  if (n === null) return { fp16: false, bf16: false, fp8: false };
  return { fp16: n >= 7.0, bf16: n >= 8.0, fp8: n >= 8.9 };
}

function gpuAdvice(name: string, cc: string | null, engineRuns: boolean): PrecisionAdvice {
  const support = supportFromComputeCapability(cc);
  const reasons: string[] = [];
  let precision: TrainPrecision;
  let lossScale: 'none' | 'dynamic' = 'none';
  if (support.bf16) {
    precision = 'bf16';
    reasons.push(`compute capability ${cc} has bf16 (≥ 8.0): fp32's exponent range at half the memory, so no loss scaling is needed`);
  } else if (support.fp16) {
    precision = 'fp16';
    lossScale = 'dynamic';
    reasons.push(`compute capability ${cc} has fp16 tensor cores but no bf16 (it needs 8.0): fp16 with dynamic loss scaling, because gradients below 6e-8 underflow in fp16`);
  } else {
    precision = 'fp32';
    reasons.push(cc ? `compute capability ${cc} has no fp16 tensor cores (they start at 7.0): fp32` : 'the compute capability is unknown: fp32 is the safe choice');
  }
  if (support.fp8) reasons.push(`fp8 (≥ 8.9) is available but experimental: it needs per-tensor scaling (E4M3 forward, E5M2 gradients) and this engine does not train in it yet`);
  if (!engineRuns) reasons.push('this engine cannot use the GPU here (no working CUDA or WebGPU provider), so a run on this machine is an emulated preview on the CPU');
  return { device: name, kind: 'gpu', support, engineRuns, precision, lossScale, emulated: !engineRuns, fp8: support.fp8 ? 'experimental' : 'unsupported', reasons };
}

function cpuAdvice(model: string): PrecisionAdvice {
  return {
    device: model, kind: 'cpu', support: { fp16: false, bf16: false, fp8: false }, engineRuns: true, precision: 'fp32', lossScale: 'none',
    emulated: false, fp8: 'unsupported',
    reasons: [
      'the CPU provider computes in fp32 (its fp16 math silently runs in fp32, and it has no bf16 kernels): train in fp32',
      'bf16 or fp16 on the CPU is emulated — exact rounding at autocast\'s points — a preview of a GPU run\'s numerics, slower than fp32',
    ],
  };
}

/** Advice for every device of the report: each GPU, then the CPU. */
export function precisionAdvice(report: Pick<HardwareReport, 'cpu' | 'gpus' | 'onnxruntime'>): PrecisionAdvice[] {
  const gpuProvider = report.onnxruntime.providers.some((p) => p.works && /cuda|webgpu|dml/i.test(p.name));
  return [...report.gpus.map((g) => gpuAdvice(g.name, g.computeCapability, gpuProvider)), cpuAdvice(report.cpu.model)];
}
