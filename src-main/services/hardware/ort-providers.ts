// The hardware report's view of onnxruntime: its version and which execution providers really run a graph.
import { ortVersion, probeExecutionProviders } from '../../engine/runtime/providers';
import type { ProviderProbe } from './detect';

export const onnxruntimeProbe: ProviderProbe = {
  version: () => ortVersion(),
  probe: () => probeExecutionProviders(),
};
