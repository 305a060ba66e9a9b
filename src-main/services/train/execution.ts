// Where a run computes: the execution provider it asked for (run.yaml `provider`, --provider), checked before anything
// is written, and whether its precision runs on that provider's own kernels or emulated.
//
// Only fp16 can run for real: the engine's IR has no bfloat16 type, WebGPU has no bf16 kernels (measured on an H200,
// scripts/gpu-check/README.md) and no provider here has fp8 matmuls. So bf16 and fp8 stay emulated on any provider,
// and fp16 runs its matmuls on the provider's float16 kernels when the kernel probe finds them (nn/precision.ts).
import type { KernelSupport } from '../../common/hardware';
import type { TrainJobParams } from '../../common/train';
import { probeProvider, type ProviderProbe } from '../../engine/runtime/providers';
import type { ProviderName } from '../../engine/runtime/session';
import { probeKernels } from '../hardware/kernel-probe';
import { ConfigError } from './config';
import type { TrainConfig } from './config-schema';

export interface ExecutionDecision {
  provider: TrainConfig['provider'];
  /** fp16's matmuls on the provider's float16 kernels (TrainJobParams.nativePrecision). */
  native: boolean;
  /** Why the precision runs the way it does on this provider (run.json's precision.why). */
  why: string;
}

export interface ExecutionProbes {
  provider(name: ProviderName): Promise<ProviderProbe>;
  kernels(name: ProviderName): Promise<KernelSupport>;
}

const REAL_PROBES: ExecutionProbes = { provider: (n) => probeProvider(n), kernels: (n) => probeKernels(n) };

type ExecutionConfig = Pick<TrainConfig, 'provider' | 'precision' | 'emulate'>;

/**
 * Checks the provider (a run on one that does not work fails here, with the provider's own error, before any file is
 * written) and decides native or emulated. The CPU needs no probe: it always works, and has no fp16 math kernels.
 */
export async function decideExecution(c: ExecutionConfig, probes: ExecutionProbes = REAL_PROBES): Promise<ExecutionDecision> {
  if (c.provider === 'cpu') return cpuExecution(c);
  const probe = await probes.provider(c.provider);
  if (!probe.works) {
    throw new ConfigError([`provider ${c.provider} does not work on this machine (${probe.error ?? 'no reason given'}); train on the cpu, or see \`ftstudio doctor\``]);
  }
  if (c.precision === 'fp32') return { provider: c.provider, native: false, why: 'fp32 needs no emulation' };
  if (c.emulate) return { provider: c.provider, native: false, why: 'forced by --emulate' };
  if (c.precision !== 'fp16') {
    return { provider: c.provider, native: false, why: `${c.precision} runs emulated on every provider: the engine builds no ${c.precision === 'bf16' ? 'bfloat16' : 'float8'} graphs` };
  }
  const kernels = await probes.kernels(c.provider);
  if (kernels.fp16 === true) return { provider: c.provider, native: true, why: `${c.provider} has float16 MatMul kernels (probed): the matmuls run on them, the rest emulated` };
  return { provider: c.provider, native: false, why: `${c.provider} has no usable float16 MatMul kernel (probed: ${kernels.note})` };
}

/** On the CPU: always emulated, since its provider has no low-precision math kernels. */
export function cpuExecution(c: Pick<TrainConfig, 'precision' | 'emulate'>): ExecutionDecision {
  const why = c.emulate ? 'forced by --emulate' : `the CPU provider has no ${c.precision === 'fp8' ? 'fp8' : 'fp16/bf16'} math kernels`;
  return { provider: 'cpu', native: false, why };
}

/** The engine's keys: absent for the CPU, so CPU runs keep the params (and resume hash) of runs made before providers. */
export function executionParams(d: ExecutionDecision): Pick<TrainJobParams, 'provider' | 'nativePrecision'> {
  return { ...(d.provider !== 'cpu' ? { provider: d.provider } : {}), ...(d.native ? { nativePrecision: true } : {}) };
}
