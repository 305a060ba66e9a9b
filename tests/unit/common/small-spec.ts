// A small Llama-shaped spec whose parameter counts the adapter-methods tests compute by hand.
import type { ModelSpec } from '../../../src-main/common/model-spec';

// H 64, I 128, L 2, nh 4, nkv 2, hd 16, V 256, untied, no biases, no q/k norms.
// [in, out]: q 64×64, k 64×32, v 64×32, o 64×64, gate 64×128, up 64×128, down 128×64.
export const SMALL: ModelSpec = {
  architecture: 'LlamaForCausalLM', hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16,
  vocabSize: 256, maxPositions: 128, rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, tieWordEmbeddings: false,
  attentionBias: false, qkNorm: false, slidingWindow: null, torchDtype: 'float32',
};
