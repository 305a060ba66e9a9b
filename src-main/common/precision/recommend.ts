// Which precisions a device can run for real, and the one to train in: bf16 where the hardware has it, else fp16 with
// dynamic loss scaling, fp32 on a CPU (low precision there is only an emulated preview), fp8 only where supported and
// then marked experimental. Compute capability decides for NVIDIA GPUs: fp16 tensor cores from 7.0 (V100, T4), bf16
// from 8.0 (A100), fp8 from 8.9 (L4, L40S, H100). Where the report has a kernel probe (services/hardware/kernel-probe.ts)
// it confirms or overrules that rule for the provider the engine would use, and says what the CPU provider really has.
import type { HardwareReport, KernelSupport } from '../hardware';

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
  /** The probed low-precision kernels of the providers that run on this device (empty when the report has none). */
  kernels: ProviderKernels[];
}

export interface ProviderKernels {
  provider: string;
  kernels: KernelSupport;
}

type Providers = HardwareReport['onnxruntime']['providers'];

const GPU_PROVIDER = /cuda|webgpu|dml/i;

/** Working providers of one kind with a kernel probe, CUDA first (the provider an NVIDIA GPU is driven through). */
function probed(providers: Providers, gpu: boolean): ProviderKernels[] {
  return providers
    .filter((p) => p.works && p.kernels && GPU_PROVIDER.test(p.name) === gpu)
    .sort((a, b) => Number(/cuda/i.test(b.name)) - Number(/cuda/i.test(a.name)))
    .map((p) => ({ provider: p.name, kernels: p.kernels as KernelSupport }));
}

/** The probed MatMul's reason for one format, for a sentence. */
function matmulReason(k: KernelSupport, format: 'fp16' | 'bf16'): string {
  return k.checks?.find((c) => c.op === 'MatMul' && c.format === format)?.reason ?? k.note;
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

/**
 * The compute-capability rule checked against the probe of the provider the engine would use: a format the hardware
 * has but the provider's MatMul lacks is dropped (the run would fail or fall back), with the probe's reason.
 */
function confirmByProbe(cc: string | null, support: PrecisionSupport, kernels: ProviderKernels | undefined): { usable: PrecisionSupport; reasons: string[] } {
  if (!kernels) return { usable: support, reasons: [] };
  const { provider, kernels: k } = kernels;
  const usable = { ...support };
  const reasons: string[] = [];
  for (const f of ['bf16', 'fp16'] as const) {
    const an = f === 'fp16' ? 'an' : 'a'; // "an eff-pee-sixteen", "a bee-eff-sixteen"
    if (k[f] === null) {
      if (support[f]) reasons.push(`${f} MatMul not probed on ${provider}: the compute-capability rule stands unconfirmed`);
    } else if (support[f] && k[f]) {
      reasons.push(`probed: ${provider} ran ${an} ${f} MatMul on the GPU, as compute capability ${cc} promises`);
    } else if (support[f]) {
      usable[f] = false;
      reasons.push(`compute capability ${cc} has ${f}, but ${provider} has no ${f} MatMul kernel here (${matmulReason(k, f)}): not ${f}`);
    } else if (k[f]) {
      reasons.push(`${provider} does run ${an} ${f} MatMul, but compute capability ${cc ?? 'unknown'} has no ${f} tensor cores, so it would be slow: not ${f}`);
    }
  }
  return { usable, reasons };
}

function gpuAdvice(name: string, cc: string | null, engineRuns: boolean, kernels: ProviderKernels[]): PrecisionAdvice {
  const hardware = supportFromComputeCapability(cc);
  const probe = confirmByProbe(cc, hardware, engineRuns ? kernels[0] : undefined);
  const support = probe.usable;
  const reasons: string[] = [];
  let precision: TrainPrecision;
  let lossScale: 'none' | 'dynamic' = 'none';
  if (support.bf16) {
    precision = 'bf16';
    reasons.push(`compute capability ${cc} has bf16 (≥ 8.0): fp32's exponent range at half the memory, so no loss scaling is needed`);
  } else if (support.fp16) {
    precision = 'fp16';
    lossScale = 'dynamic';
    const noBf16 = hardware.bf16 ? 'the bf16 kernel is missing' : 'no bf16 (it needs 8.0)';
    reasons.push(`compute capability ${cc} has fp16 tensor cores but ${noBf16}: fp16 with dynamic loss scaling, because gradients below 6e-8 underflow in fp16`);
  } else {
    precision = 'fp32';
    if (hardware.fp16) reasons.push(`compute capability ${cc} has fp16, but the provider's fp16 kernel is missing: fp32`);
    else reasons.push(cc ? `compute capability ${cc} has no fp16 tensor cores (they start at 7.0): fp32` : 'the compute capability is unknown: fp32 is the safe choice');
  }
  reasons.push(...probe.reasons);
  if (support.fp8) reasons.push(`fp8 (≥ 8.9) is available but experimental: it needs per-tensor scaling (E4M3 forward, E5M2 gradients), and this engine trains it emulated only`);
  if (!engineRuns) reasons.push('this engine cannot use the GPU here (no working CUDA or WebGPU provider), so a run on this machine is an emulated preview on the CPU');
  // The engine runs only fp16 on a provider's own kernels (services/train/execution.ts): it builds no bfloat16 graphs.
  const nativeHere = engineRuns && (precision === 'fp32' || precision === 'fp16');
  if (engineRuns && precision === 'bf16') reasons.push('this engine runs bf16 emulated on every provider (it builds no bfloat16 graphs yet): bf16\'s numerics at fp32\'s speed; fp16 would run on the GPU\'s kernels');
  return { device: name, kind: 'gpu', support: hardware, engineRuns, precision, lossScale, emulated: !nativeHere, fp8: support.fp8 ? 'experimental' : 'unsupported', reasons, kernels };
}

/** What the CPU provider's probe found, in short (the card lists each check's reason); the assumption without a probe. */
function cpuKernelReason(k: KernelSupport | undefined): string {
  if (!k) return 'the CPU provider computes in fp32 (its fp16 math runs in fp32 and it has no bf16 kernels; not probed in this report): train in fp32';
  const say = (f: 'fp16' | 'bf16') => (k[f] === null ? `${f} not probed` : k[f] ? `an ${f} MatMul kernel` : `no ${f} MatMul kernel`);
  const fp16Upcast = k.fp16 === false && /ran it in float32/.test(matmulReason(k, 'fp16')) ? ' (ORT runs fp16 MatMuls in fp32 behind casts it inserts)' : '';
  return `probed: ORT's CPU provider has ${say('fp16')}${fp16Upcast} and ${say('bf16')}: train in fp32`;
}

function cpuAdvice(model: string, kernels: ProviderKernels[]): PrecisionAdvice {
  return {
    device: model, kind: 'cpu', support: { fp16: false, bf16: false, fp8: false }, engineRuns: true, precision: 'fp32', lossScale: 'none',
    emulated: false, fp8: 'unsupported', kernels,
    reasons: [
      cpuKernelReason(kernels.find((p) => p.provider === 'cpu')?.kernels),
      // engine/nn/precision.ts: autocast there is fp32 math plus exact rounding (precision/emulate.ts), whatever kernels
      // ORT has. Measured (tests/bench/emulated-precision.bench.ts, 8-layer H 512): fp16 steps 1.08× fp32's, bf16 1.5×.
      'training on the CPU stays fp32 whatever the kernels: the engine\'s graphs compute in fp32 and round to fp16/bf16 exactly at autocast\'s points (ORT would run fp16 ops in fp32 behind casts it inserts), so a low-precision run here is a preview of a GPU run\'s numerics, a little slower than fp32, never faster',
    ],
  };
}

/** Advice for every device of the report: each GPU, then the CPU. */
export function precisionAdvice(report: Pick<HardwareReport, 'cpu' | 'gpus' | 'onnxruntime'>): PrecisionAdvice[] {
  const providers = report.onnxruntime.providers;
  const gpuProvider = providers.some((p) => p.works && GPU_PROVIDER.test(p.name));
  const gpuKernels = probed(providers, true);
  return [...report.gpus.map((g) => gpuAdvice(g.name, g.computeCapability, gpuProvider, gpuKernels)), cpuAdvice(report.cpu.model, probed(providers, false))];
}
