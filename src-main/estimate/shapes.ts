// Parameter counts of a Llama-family model and of a LoRA adapter on it, from the ModelSpec alone.
import type { ModelSpec } from '../common/model-spec';
import { LORA_TARGETS, projectionDims, type LoraTarget } from '../engine/nn/lora';
import type { LoraShape, PTuningShape } from './types';

export interface ParamCounts {
  /** Everything in the checkpoint (embedding, layers, norms, lm_head unless tied). */
  total: number;
  /** Weights that enter a MatMul: the 7 projections of every layer and lm_head (the FLOPs and the ORT pre-packing). */
  matmul: number;
  /** The rest: embedding (a Gather), norms, biases. */
  other: number;
  perLayerMatmul: number;
}

export function targetList(lora: LoraShape): readonly LoraTarget[] {
  return lora.targets === 'all-linear' ? LORA_TARGETS : lora.targets;
}

export function paramCounts(spec: ModelSpec): ParamCounts {
  const dims = projectionDims(spec);
  const perLayerMatmul = LORA_TARGETS.reduce((n, t) => n + dims[t][0] * dims[t][1], 0);
  const { hiddenSize: H, numHeads: nh, numKvHeads: nkv, headDim: hd, numLayers: L, vocabSize: V } = spec;
  const bias = spec.attentionBias ? nh * hd + 2 * nkv * hd : 0; // q/k/v biases (o_proj's is rare; ignored)
  const norms = 2 * H + (spec.qkNorm ? 2 * hd : 0);
  const lmHead = spec.tieWordEmbeddings ? 0 : V * H;
  const matmul = L * perLayerMatmul + V * H; // a tied lm_head still multiplies by the embedding matrix
  const other = V * H + L * (bias + norms) + H;
  return { total: L * perLayerMatmul + lmHead + other, matmul, other, perLayerMatmul };
}

/** A and B of every adapted projection: r·(in + out) each, in every layer. */
export function loraParamCount(spec: ModelSpec, lora: LoraShape): number {
  const dims = projectionDims(spec);
  return spec.numLayers * targetList(lora).reduce((n, t) => n + lora.r * (dims[t][0] + dims[t][1]), 0);
}

/** Σ over adapted projections of (in + out) in one layer: the width the LoRA FLOPs scale with. */
export function loraWidthPerLayer(spec: ModelSpec, lora: LoraShape): number {
  const dims = projectionDims(spec);
  return targetList(lora).reduce((n, t) => n + dims[t][0] + dims[t][1], 0);
}

/**
 * P-tuning's trainable parameters, as PEFT's PromptEncoder builds them: the virtual-token embedding nv·H, plus
 * - mlp: Linear(H, h) → ReLU → Linear(h, h) → ReLU → Linear(h, H), biases included;
 * - lstm: a 2-layer bidirectional LSTM(H → h) (4 gates × (in·h + h·h + two biases of h) per direction and layer; the
 *   second layer reads both directions, 2h) and an MLP head Linear(2h, 2h) → ReLU → Linear(2h, H);
 * - none: the embedding alone (prompt tuning).
 */
export function ptuningParamCount(spec: ModelSpec, pt: PTuningShape): number {
  const H = spec.hiddenSize;
  const h = pt.encoderHidden;
  const linear = (i: number, o: number) => i * o + o;
  const lstmLayer = (i: number) => 2 * 4 * (i * h + h * h + 2 * h);
  const encoder = pt.encoder === 'mlp' ? linear(H, h) + linear(h, h) + linear(h, H)
    : pt.encoder === 'lstm' ? lstmLayer(H) + lstmLayer(2 * h) + linear(2 * h, 2 * h) + linear(2 * h, H)
      : 0;
  return pt.virtualTokens * H + encoder;
}
