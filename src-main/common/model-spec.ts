// The shape of a causal LM as the engine needs it, parsed from a Hugging Face config.json (see models/hf/).

export const SUPPORTED_ARCHITECTURES = ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM'] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface ModelSpec {
  architecture: Architecture;
  hiddenSize: number; // H
  intermediateSize: number; // I (SwiGLU width)
  numLayers: number; // L
  numHeads: number; // nh
  numKvHeads: number; // nkv (grouped-query attention when < nh)
  headDim: number; // hd
  vocabSize: number; // V
  maxPositions: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: Llama3RopeScaling | null;
  tieWordEmbeddings: boolean;
  attentionBias: boolean; // q/k/v projections carry biases (Qwen2)
  qkNorm: boolean; // RMSNorm on q and k per head (Qwen3)
  slidingWindow: number | null; // Mistral; recorded, not applied (our sequences are shorter than the window)
  torchDtype: string | null; // the dtype the checkpoint was saved in, per config
}
