// The estimator's inputs and outputs: what a run looks like (model × method × precision × batch) and what it costs.
import type { ModelSpec } from '../common/model-spec';
import type { LoraTarget } from '../engine/nn/lora';

/** 'ptuning' (P-tuning, Liu et al. 2021): trainable virtual tokens in front of every sequence, through a prompt encoder. */
export type Method = 'lora' | 'full' | 'ptuning';
export type Precision = 'fp32' | 'fp16' | 'bf16';
export type ProfileName = 'ours' | 'pytorch-peft';
export type OptimizerName = 'adamw' | 'sgd' | 'sgd-momentum';
/** How the loss turns logits into a gradient; decides how many [B, S, V] tensors coexist at the loss peak (logits.ts). */
export type LossPath = 'ours' | 'hf-fp32-loss' | 'hf-legacy-shift' | 'half-loss';

export interface LoraShape {
  r: number;
  targets: readonly LoraTarget[] | 'all-linear';
  /** PEFT's lora_dropout: with p > 0 every adapted module keeps its own dropped copy of its input (and a mask). */
  dropout: number;
}

/** Engine behaviour the memory model depends on; a profile fixes the defaults (profiles.ts), a caller may override. */
export interface ProfileOptions {
  /** 'materialised' keeps the B·nh·S² probabilities for backward (our engine, PyTorch eager); 'fused' (SDPA flash /
   * memory-efficient kernels) keeps only q, k, v, the output and a B·nh·S log-sum-exp. */
  attention: 'materialised' | 'fused';
  /** GQA: K/V repeated to nh heads before attention (HF eager repeat_kv) or broadcast (ours, flash). */
  repeatKv: boolean;
  /** HF RMSNorm upcasts its input to fp32 and autograd keeps that copy. */
  normUpcast: boolean;
  /** SiLU saved as x and sigmoid(x) (ours: composite x·σ(x)) or x only (PyTorch's fused SiLU). */
  siluSavesSigmoid: boolean;
  lossPath: LossPath;
  /** Bytes per trainable parameter of the adapter (PEFT ≥ 0.12 keeps adapters in fp32: 4). */
  adapterBytes: number;
  /** ORT CPU (MLAS) packs each constant MatMul B into its own fp32 buffer; 0 = weights stay as loaded. */
  prepackCopies: number;
  /** Caching-allocator / ORT arena overhead as a fraction of the step-varying memory (activations, logits, workspace). */
  allocatorSlack: number;
  /** Runtime baseline in bytes: the CUDA context on a GPU (0.3–2 GB), the engine process on a CPU. */
  runtimeBytes: number;
}

/** PEFT's PromptEncoderConfig: num_virtual_tokens, encoder_reparameterization_type, encoder_hidden_size. */
export interface PTuningShape {
  virtualTokens: number;
  encoder: 'mlp' | 'lstm' | 'none';
  encoderHidden: number;
}

export interface EstimateInput {
  spec: ModelSpec;
  method: Method;
  lora: LoraShape;
  /** Method 'ptuning' only; seqLen then already counts the virtual tokens the model sees. */
  ptuning?: PTuningShape;
  precision: Precision;
  /** The checkpoint's stored dtype (default: spec.torchDtype, else fp32). */
  weightDtype?: Precision;
  optimizer: OptimizerName;
  batchSize: number;
  seqLen: number;
  gradAccum: number;
  checkpointing: boolean;
  profile: ProfileName;
  device: 'cpu' | 'gpu';
  options?: Partial<ProfileOptions>;
}

/** One line of the memory breakdown, in bytes, with the reason it is there. */
export interface MemoryComponent {
  key: MemoryKey;
  bytes: number;
  note: string;
}

export type MemoryKey =
  | 'weights' | 'trainableParams' | 'gradients' | 'optimizerState' | 'masterWeights' | 'activations'
  | 'logits' | 'loraIntermediates' | 'workspace' | 'allocatorSlack' | 'runtime';

export interface MemoryEstimate {
  components: MemoryComponent[];
  totalBytes: number;
  /** Per decoder layer, before checkpointing (for display and tests). */
  perLayerActivationBytes: number;
  params: { total: number; trainable: number; matmul: number };
  warnings: string[];
}
