// The two engine profiles: this app's ONNX Runtime engine ('ours') and Hugging Face transformers + PEFT eager.
import type { EstimateInput, ProfileName, ProfileOptions } from './types';

export const GB = 1e9;

/**
 * Bytes of the engine process before any graph: measured here with Node 20, bare `node` 41 MiB RSS and 54 MiB after
 * importing onnxruntime-node; the engine process adds tsx, zod, the graph builder and ORT's thread pools, so 150 MB.
 */
export const CPU_PROCESS_BASELINE = 150e6;

/**
 * Our engine on the CPU, the optimizer step's extra bytes per trainable parameter beyond the 16 B of parameter, gradient
 * and AdamW state counted on their own: the update session's outputs (new parameters, m, v: 12 B) and their copies into
 * JS buffers (12 B), the gradient's ORT output buffer kept by the train session's arena (4 B) and the update graph's
 * gradient-clipping and AdamW temporaries (≈ 4 × 4 B) — 11 fp32 values, 44 B. Fitted and explained by
 * tests/bench/estimate-vs-engine.bench.ts: without it the prediction fell 9–23% short, by ≈ 40–52 B per LoRA parameter.
 */
export const OURS_CPU_UPDATE_BYTES_PER_PARAM = 44;

/** CUDA context + cuBLAS/cuDNN handles: 0.3–2 GB depending on driver, GPU and lazy loading; 0.5 GB by default. */
export const CUDA_CONTEXT = { min: 0.3 * GB, default: 0.5 * GB, max: 2 * GB };

const OURS: Omit<ProfileOptions, 'runtimeBytes' | 'prepackCopies'> = {
  attention: 'materialised', // attention.ts: softmax(QKᵀ) is an ordinary tensor the backward reads
  repeatKv: false, // GQA by broadcasting K/V over the group axis, no copy
  normUpcast: false, // everything is fp32 already
  siluSavesSigmoid: true, // silu = x · sigmoid(x) built from primitives: both operands are kept
  lossPath: 'ours',
  adapterBytes: 4,
  // ORT's BFC arena rounds allocations up and keeps freed chunks; memory patterns pre-plan one big block per shape.
  allocatorSlack: 0.15,
};

const PYTORCH_PEFT: Omit<ProfileOptions, 'runtimeBytes' | 'prepackCopies'> = {
  attention: 'fused', // transformers' default attn_implementation is "sdpa" (flash / memory-efficient kernels)
  repeatKv: false,
  normUpcast: true, // LlamaRMSNorm: hidden_states.to(torch.float32) is what autograd keeps
  siluSavesSigmoid: false,
  lossPath: 'hf-fp32-loss', // transformers ≥ 4.46 ForCausalLMLoss: logits.float() then cross_entropy
  adapterBytes: 4, // PEFT autocast_adapter_dtype=True (default since 0.12) keeps LoRA weights in fp32
  allocatorSlack: 0.1, // torch.cuda.max_memory_reserved over max_memory_allocated, typical for fixed shapes
};

export function profileDefaults(profile: ProfileName, device: 'cpu' | 'gpu'): ProfileOptions {
  const base = profile === 'ours' ? OURS : PYTORCH_PEFT;
  // MLAS pre-packs B of MatMul on the CPU provider only: our forward x·Wᵀ (Transpose folded into the MatMul) and the
  // backward dY·W each pack their own copy of W. CUDA and PyTorch use the weight as stored.
  const prepackCopies = profile === 'ours' && device === 'cpu' ? 2 : 0;
  const runtimeBytes = device === 'gpu' ? CUDA_CONTEXT.default : CPU_PROCESS_BASELINE;
  return { ...base, prepackCopies, runtimeBytes };
}

export function resolveOptions(input: EstimateInput): ProfileOptions {
  return { ...profileDefaults(input.profile, input.device), ...input.options };
}

/** Bytes per activation value (β): our engine computes in fp32 everywhere; PyTorch autocast computes in 16 bits. */
export function activationBytes(input: EstimateInput): number {
  if (input.profile === 'ours') return 4;
  return input.precision === 'fp32' ? 4 : 2;
}

export function bytesOf(p: 'fp32' | 'fp16' | 'bf16'): number {
  return p === 'fp32' ? 4 : 2;
}
