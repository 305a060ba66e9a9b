// The memory model: one function per component of peak memory, and their sum with the profile's options.
import { checkpointedLayerBytes, layerActivations, logitsBytes, loraLayerBytes, workspaceBytes } from './activations';
import { activationBytes, bytesOf, OURS_CPU_UPDATE_BYTES_PER_PARAM, resolveOptions } from './profiles';
import { loraParamCount, paramCounts, ptuningParamCount, type ParamCounts } from './shapes';
import type { EstimateInput, MemoryComponent, MemoryEstimate, Precision, ProfileOptions } from './types';

/** The checkpoint's stored dtype: the caller's, else config.json's torch_dtype, else fp32. */
export function storedDtype(input: EstimateInput): Precision {
  if (input.weightDtype) return input.weightDtype;
  const t = input.spec.torchDtype;
  return t === 'bfloat16' ? 'bf16' : t === 'float16' ? 'fp16' : 'fp32';
}

/**
 * Frozen (or compute-copy) weights.
 * - ours on CPU: weights enter as external initializers read in place from the .safetensors (memory-mapped, so fp32
 *   pages count in RSS once touched); bf16/fp16 ones are cast to fp32 by a Cast that ORT folds into a new fp32
 *   initializer; then MLAS packs every MatMul B into its own fp32 buffer (prepackCopies per weight) and releases the
 *   original once all its readers are packed. Embedding and norms stay as fp32 (mapped or folded).
 * - ours on a GPU: every weight is copied to the device as fp32 (the graph casts to fp32; no pre-packing).
 * - PyTorch: the weights as loaded — in the compute dtype under bf16/fp16, fp32 otherwise.
 */
export function weightsComponent(input: EstimateInput, p: ParamCounts, o: ProfileOptions): MemoryComponent {
  if (input.method === 'full' && input.profile === 'ours') {
    return { key: 'weights', bytes: 0, note: 'trained weights are graph inputs, counted under trainable parameters' };
  }
  if (input.profile === 'ours') {
    const stored = storedDtype(input);
    const how = stored === 'fp32' ? 'memory-mapped from the .safetensors' : `${stored} cast to fp32 at session start`;
    if (o.prepackCopies > 0) {
      return {
        key: 'weights', bytes: 4 * p.other + o.prepackCopies * 4 * p.matmul,
        note: `embedding and norms ${how}; MatMul weights pre-packed by ORT's CPU provider into ${o.prepackCopies} fp32 copies each (forward x·Wᵀ and backward dY·W)`,
      };
    }
    return { key: 'weights', bytes: 4 * p.total, note: `copied to the device as fp32 (${how})` };
  }
  // PyTorch loads the checkpoint in the compute dtype (torch_dtype=bfloat16 …) and frozen weights stay there.
  const dtype = input.precision;
  const b = bytesOf(dtype);
  return { key: 'weights', bytes: b * p.total, note: `${p.total.toLocaleString('en')} parameters in ${dtype} (${b} B each)` };
}

export function trainableCount(input: EstimateInput, p: ParamCounts): number {
  if (input.method === 'ptuning') return input.ptuning ? ptuningParamCount(input.spec, input.ptuning) : 0;
  return input.method === 'full' ? p.total : loraParamCount(input.spec, input.lora);
}

/** Bytes per trainable parameter for the parameter itself and its gradient (full FT under bf16: the 16-bit copy). */
function trainableBytes(input: EstimateInput, o: ProfileOptions): number {
  // P-tuning's prompt encoder is an adapter like LoRA's matrices (PEFT keeps both in fp32).
  if (input.method !== 'full') return o.adapterBytes;
  if (input.profile === 'ours') return 4;
  return input.precision === 'fp32' ? 4 : 2;
}

export function trainableParamsComponent(input: EstimateInput, p: ParamCounts, o: ProfileOptions): MemoryComponent {
  const n = trainableCount(input, p);
  if (input.method === 'full' && input.profile === 'pytorch-peft') {
    return { key: 'trainableParams', bytes: 0, note: 'the trained weights are the weights above' };
  }
  const b = trainableBytes(input, o);
  return { key: 'trainableParams', bytes: b * n, note: `${n.toLocaleString('en')} trainable parameters × ${b} B` };
}

export function gradientsComponent(input: EstimateInput, p: ParamCounts, o: ProfileOptions): MemoryComponent {
  const n = trainableCount(input, p);
  const b = trainableBytes(input, o);
  return { key: 'gradients', bytes: b * n, note: `one gradient per trainable parameter (${b} B; accumulated across micro-batches in place)` };
}

/** AdamW: exp_avg and exp_avg_sq in fp32 (8 B); SGD: none; SGD with momentum: one fp32 buffer (4 B). */
export function optimizerComponent(input: EstimateInput, p: ParamCounts): MemoryComponent {
  const per = input.optimizer === 'adamw' ? 8 : input.optimizer === 'sgd-momentum' ? 4 : 0;
  const n = trainableCount(input, p);
  // Ours on the CPU: plus the update step's outputs, their host copies and temporaries (measured by
  // tests/bench/estimate-vs-engine.bench.ts; profiles.ts OURS_CPU_UPDATE_BYTES_PER_PARAM).
  const step = input.profile === 'ours' && input.device === 'cpu' ? OURS_CPU_UPDATE_BYTES_PER_PARAM : 0;
  const note = step ? `${input.optimizer}: ${per} B state + ${step} B of the update step's outputs, host copies and temporaries per trainable parameter` : `${input.optimizer}: ${per} B per trainable parameter`;
  return { key: 'optimizerState', bytes: (per + step) * n, note };
}

/**
 * Mixed precision full fine-tuning keeps an fp32 master copy of every weight beside the 16-bit one the math reads:
 * 2 + 2 (weights, gradients) + 4 (master) + 8 (Adam) = 16 B/parameter, the "16Ψ" of ZeRO (Rajbhandari et al. 2020).
 * LoRA adapters are fp32 already, so they need none.
 */
export function masterWeightsComponent(input: EstimateInput, p: ParamCounts): MemoryComponent {
  const needed = input.method === 'full' && input.profile === 'pytorch-peft' && input.precision !== 'fp32';
  return { key: 'masterWeights', bytes: needed ? 4 * p.total : 0, note: needed ? 'fp32 master weights under mixed precision' : 'none needed' };
}

export function estimateMemory(input: EstimateInput): MemoryEstimate {
  const o = resolveOptions(input);
  const beta = activationBytes(input);
  const { spec } = input;
  const p = paramCounts(spec);
  const layer = layerActivations(spec, input, o, beta);
  const L = spec.numLayers;
  const T = input.batchSize * input.seqLen;
  // The final norm keeps its input too (fp32 when upcast).
  const finalNorm = T * spec.hiddenSize * (o.normUpcast ? Math.max(beta, 4) : beta);
  // Checkpointing: every layer keeps only its input; the layer being differentiated is recomputed in full.
  const activations = input.checkpointing
    ? L * checkpointedLayerBytes(spec, input, beta) + layer.total + finalNorm
    : L * layer.total + finalNorm;
  const lora = loraLayerBytes(spec, input, beta) * (input.checkpointing ? 1 : L);
  const logits = logitsBytes(spec, input, o, beta);
  const workspace = workspaceBytes(spec, input, o, beta);
  const varying = activations + lora + logits + workspace;
  const components: MemoryComponent[] = [
    weightsComponent(input, p, o),
    trainableParamsComponent(input, p, o),
    gradientsComponent(input, p, o),
    optimizerComponent(input, p),
    masterWeightsComponent(input, p),
    { key: 'activations', bytes: activations, note: input.checkpointing ? `checkpointed: ${L} layer inputs + one recomputed layer` : `${L} layers × ${(layer.total / 1e6).toFixed(1)} MB saved for backward (β = ${beta} B)` },
    { key: 'logits', bytes: logits, note: `B·S·V = ${(T * spec.vocabSize).toLocaleString('en')} values at the loss (${o.lossPath})` },
    { key: 'loraIntermediates', bytes: lora, note: input.method === 'lora' ? `x·Aᵀ per adapted module${input.lora.dropout > 0 ? ' + dropped input copies' : ''}` : 'not LoRA' },
    { key: 'workspace', bytes: workspace, note: 'gradients of the widest tensors of the layer being differentiated' },
    { key: 'allocatorSlack', bytes: o.allocatorSlack * varying, note: `${Math.round(o.allocatorSlack * 100)}% allocator overhead on step-varying memory` },
    { key: 'runtime', bytes: o.runtimeBytes, note: input.device === 'gpu' ? 'CUDA context (0.3–2 GB)' : 'engine process baseline (Node + onnxruntime)' },
  ];
  const warnings: string[] = [];
  if (input.profile === 'ours' && input.method === 'full') warnings.push('our engine trains LoRA only; full fine-tuning is estimated as if the weights were fp32 graph inputs');
  if (input.profile === 'ours' && input.checkpointing) warnings.push('our engine has no gradient checkpointing yet; estimated as keep-layer-inputs + recompute');
  if (input.profile === 'ours' && input.precision !== 'fp32') warnings.push(`our engine computes in fp32 on the CPU provider; ${input.precision} is emulated, memory is estimated at fp32`);
  return {
    components,
    totalBytes: components.reduce((n, c) => n + c.bytes, 0),
    perLayerActivationBytes: layer.total,
    params: { total: p.total, trainable: trainableCount(input, p), matmul: p.matmul },
    warnings,
  };
}
