// Public surface of the runtime (the only importer of onnxruntime-node).

export { EngineSession, ortVersion, ortSessionOptions, type ProviderName, type SessionOptions } from './session';
export { probeExecutionProviders, probeProvider, type ProviderProbe } from './providers';
export { dtypeOf, type Feed, type HostArray, type HostTensor } from './tensors';
