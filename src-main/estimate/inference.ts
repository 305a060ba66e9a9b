// Serving one request: its forward FLOPs (prompt + answer) and the memory of inference (weights, KV cache, one layer's work).
import { layerActivations } from './activations';
import { weightsComponent } from './memory';
import { activationBytes, resolveOptions } from './profiles';
import { paramCounts } from './shapes';
import { stepFlops } from './time';
import type { EstimateInput } from './types';

/** One request of `tokens` tokens as the time and memory models see it: batch 1, no adapter term, no backward. */
function requestInput(base: EstimateInput, tokens: number): EstimateInput {
  return { ...base, method: 'full', batchSize: 1, seqLen: Math.max(1, tokens), gradAccum: 1, checkpointing: false };
}

/**
 * Forward FLOPs of a request whose prompt and answer are `tokens` long. Generating with a KV cache costs, to first order,
 * one forward over the whole sequence: every token passes every weight once (2·N) and attends to the tokens before it.
 * A merged adapter (LoRA folded into W, full fine-tuning) costs nothing extra, so the base model's forward is the rate.
 */
export function requestFlops(base: EstimateInput, tokens: number): number {
  return tokens > 0 ? stepFlops(requestInput(base, tokens)).forward : 0;
}

export interface InferenceMemory { weights: number; kvCache: number; working: number; slack: number; runtime: number; totalBytes: number }

/**
 * Peak memory of serving one request of `tokens` tokens: the weights as training would load them but packed once (only
 * the forward's x·Wᵀ copy on ORT's CPU provider), the KV cache 2·L·nkv·hd·tokens·β, one layer's tensors during the
 * prefill (what training keeps per layer: here an upper bound of the transient, as nothing waits for a backward), the
 * allocator's share of those and the runtime. `extraWeights` adds a second model (an embedding model for RAG).
 */
export function inferenceMemory(base: EstimateInput, tokens: number, extraWeights = 0): InferenceMemory {
  const input = { ...requestInput(base, tokens), method: 'lora' as const }; // weights loaded frozen, as under an adapter
  const o = resolveOptions(input);
  const beta = activationBytes(input);
  const { spec } = input;
  const weights = weightsComponent(input, paramCounts(spec), { ...o, prepackCopies: Math.min(o.prepackCopies, 1) }).bytes + extraWeights;
  const kvCache = 2 * spec.numLayers * spec.numKvHeads * spec.headDim * input.seqLen * beta;
  const working = layerActivations(spec, { ...input, method: 'full' }, o, beta).total;
  const slack = o.allocatorSlack * (kvCache + working);
  const runtime = o.runtimeBytes;
  return { weights, kvCache, working, slack, runtime, totalBytes: weights + kvCache + working + slack + runtime };
}
