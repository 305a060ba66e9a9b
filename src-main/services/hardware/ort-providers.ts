// The hardware report's view of onnxruntime: its version, which execution providers really run a graph, and which
// low-precision kernels each working one really has. Cached with the report (app-services' hardware.get).
import type { ExecutionProviderStatus } from '../../common/hardware';
import { ortVersion, probeExecutionProviders } from '../../engine/runtime/providers';
import type { ProviderProbe } from './detect';
import { isProviderName, probeKernels } from './kernel-probe';

/** The provider probe, then the kernel probe on each provider that works (a broken one has no kernels to ask about). */
export async function probeProvidersAndKernels(): Promise<ExecutionProviderStatus[]> {
  const out: ExecutionProviderStatus[] = [];
  for (const p of await probeExecutionProviders()) {
    out.push(p.works && isProviderName(p.name) ? { ...p, kernels: await probeKernels(p.name) } : p);
  }
  return out;
}

export const onnxruntimeProbe: ProviderProbe = {
  version: () => ortVersion(),
  probe: probeProvidersAndKernels,
};
