// Which low-precision kernels a working execution provider really has: each case of kernel-verdict.ts run as a tiny
// graph on that provider alone, judged on placement, type and numbers, within a time budget.
import type { KernelSupport } from '../../common/hardware';
import { runKernelProbe, type KernelRun } from '../../engine/runtime/kernel-probe';
import type { ProviderName } from '../../engine/runtime/session';
import { dtypeOfFormat, judgeKernel, kernelSupport, KERNEL_CASES, notProbed, PROBE_N, probeInputs, type KernelCase } from './kernel-verdict';

/** ORT's names for the providers, as profiles write them. */
const ORT_NAMES: Record<ProviderName, string> = {
  cpu: 'CPUExecutionProvider',
  cuda: 'CUDAExecutionProvider',
  webgpu: 'WebGpuExecutionProvider',
  dml: 'DmlExecutionProvider',
};

export const isProviderName = (name: string): name is ProviderName => name in ORT_NAMES;

export type CaseRunner = (provider: ProviderName, c: KernelCase, a: Float32Array, b: Float32Array) => Promise<KernelRun>;

const runCase: CaseRunner = (provider, c, a, b) => runKernelProbe(provider, c.op, dtypeOfFormat(c.format), a, b, PROBE_N);

export interface KernelProbeOptions {
  /** Cases not started within this many ms of the first are reported as not probed (default 2000). */
  budgetMs?: number;
  run?: CaseRunner;
  now?: () => number;
}

/**
 * Runs in the process that asks, like the provider probe (engine/runtime/providers.ts): the sessions are a few KB and
 * a few ms each on the CPU. One case at a time, because a provider that fails to load can leave ORT's state busy.
 */
export async function probeKernels(provider: ProviderName, opts: KernelProbeOptions = {}): Promise<KernelSupport> {
  const { budgetMs = 2_000, run = runCase, now = () => performance.now() } = opts;
  const inputs = probeInputs(PROBE_N);
  const t0 = now();
  const checks = [];
  for (const c of KERNEL_CASES) {
    if (now() - t0 > budgetMs) {
      checks.push(notProbed(c, `not probed: the kernel probe's ${budgetMs / 1000} s budget ran out`));
      continue;
    }
    checks.push(judgeKernel(c, await run(provider, c, inputs.a, inputs.b), ORT_NAMES[provider], inputs));
  }
  return kernelSupport(checks, now() - t0);
}
