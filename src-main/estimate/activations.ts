// Activation memory from first principles: what one decoder layer keeps for its backward, the logits, the LoRA side.
//
// Shapes: B batch · S sequence · T = B·S tokens · H hidden · I SwiGLU width · nh / nkv heads · hd head dim · V vocab ·
//         r LoRA rank · β bytes per activation value (4 ours/fp32, 2 under bf16/fp16 autocast).
//
// Convention from Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models" (2022, §4.1):
// count every tensor autograd saves for the backward, per layer. For a GPT layer in 16 bits with dropout they get
// s·b·h·(34 + 5·a·s/h) bytes = 34·sbh + 5·a·s²·b. A Llama layer differs: no dropout (no 1-byte masks, no dropped
// copies), RMSNorm instead of LayerNorm, SwiGLU (three I-wide tensors instead of GeLU's two 4h-wide ones), GQA, and —
// the part that matters for fine-tuning — frozen weights: a Linear whose weight needs no gradient keeps nothing (its
// input gradient needs only W), so a projection's input is saved only when the projection is trained (full) or adapted
// (LoRA: lora_A needs x for its weight gradient). Gradients still flow through every layer, so the elementwise ops
// (norms, SiLU, the product, attention) keep what their input gradients need, adapted or not.
import type { ModelSpec } from '../common/model-spec';
import type { LoraTarget } from '../engine/nn/lora';
import { projectionDims } from '../engine/nn/lora';
import { targetList } from './shapes';
import type { EstimateInput, ProfileOptions } from './types';

export interface LayerActivations {
  norms: number; // the two RMSNorm inputs (fp32 copies when upcast)
  projectionInputs: number; // inputs of trained/adapted projections (q/k/v share one, gate/up share one)
  attention: number; // q, k, v (and the fused kernel's output + log-sum-exp)
  attentionScores: number; // the B·nh·S² probabilities when attention is materialised
  mlp: number; // SwiGLU intermediates: gate, (sigmoid), silu(gate), up
  total: number;
}

interface Dims { B: number; S: number; T: number; H: number; I: number; nh: number; nkv: number; hd: number }

function dims(spec: ModelSpec, input: EstimateInput): Dims {
  const { batchSize: B, seqLen: S } = input;
  return { B, S, T: B * S, H: spec.hiddenSize, I: spec.intermediateSize, nh: spec.numHeads, nkv: spec.numKvHeads, hd: spec.headDim };
}

/** Whether a projection keeps its input for a weight gradient: every one in full fine-tuning, adapted ones in LoRA, none
 * in P-tuning (its gradient passes through frozen projections, dx = dy·W, which needs no x). */
export function keepsInput(input: EstimateInput, target: LoraTarget): boolean {
  if (input.method === 'ptuning') return false;
  return input.method === 'full' || targetList(input.lora).includes(target);
}

export function layerActivations(spec: ModelSpec, input: EstimateInput, o: ProfileOptions, beta: number): LayerActivations {
  const { B, S, T, H, I, nh, nkv, hd } = dims(spec, input);
  const keeps = (t: LoraTarget) => keepsInput(input, t);
  // RMSNorm backward needs its input x (for mean(x²) and x·rsqrt); HF upcasts first, so the kept copy is fp32.
  const norms = 2 * T * H * (o.normUpcast ? Math.max(beta, 4) : beta);
  const projectionInputs = beta * T * (
    (keeps('q_proj') || keeps('k_proj') || keeps('v_proj') ? H : 0) + // input_layernorm output
    (keeps('o_proj') ? nh * hd : 0) + // merged heads
    (keeps('gate_proj') || keeps('up_proj') ? H : 0) + // post_attention_layernorm output
    (keeps('down_proj') ? I : 0) // silu(gate) ⊙ up
  );
  const kvHeads = o.repeatKv ? nh : nkv;
  // Q·Kᵀ keeps q and k (after RoPE), P·V keeps v; a fused kernel also keeps its output and a fp32 [B, nh, S] LSE.
  const qkv = beta * T * hd * (nh + 2 * kvHeads);
  const attention = o.attention === 'fused' ? qkv + beta * T * nh * hd + 4 * B * nh * S : qkv;
  // softmax backward needs its output P, and P·V needs P: one tensor, fp32 in our engine and in HF eager's
  // softmax(dtype=float32) — whose 16-bit cast for P·V is a second copy under autocast.
  const scoreBytes = beta >= 4 ? 4 : 4 + beta;
  const attentionScores = o.attention === 'materialised' ? scoreBytes * B * nh * S * S : 0;
  // gate (SiLU's input), sigmoid(gate) when SiLU is composite, silu(gate) and up (the product's operands).
  const mlp = beta * T * I * (o.siluSavesSigmoid ? 4 : 3);
  const total = norms + projectionInputs + attention + attentionScores + mlp;
  return { norms, projectionInputs, attention, attentionScores, mlp, total };
}

/** What a checkpointed layer keeps between forward and backward: its input hidden states, nothing else. */
export function checkpointedLayerBytes(spec: ModelSpec, input: EstimateInput, beta: number): number {
  return beta * input.batchSize * input.seqLen * spec.hiddenSize;
}

/**
 * LoRA's own intermediates per layer: x·Aᵀ [T, r] per adapted module (lora_B needs it for its gradient) and, with
 * dropout p > 0, each module's dropped copy of its input (β) and its keep mask (1 byte).
 */
export function loraLayerBytes(spec: ModelSpec, input: EstimateInput, beta: number): number {
  if (input.method !== 'lora') return 0;
  const T = input.batchSize * input.seqLen;
  const d = projectionDims(spec);
  return targetList(input.lora).reduce((n, t) => n + beta * T * input.lora.r + (input.lora.dropout > 0 ? (beta + 1) * T * d[t][0] : 0), 0);
}

/**
 * Bytes per logit value alive at the loss peak (start of the backward), times B·S·V:
 * - ours: logits, log-softmax (kept for GatherElements' backward), d log-softmax, d logits — all fp32: 16.
 * - hf-fp32-loss (transformers ≥ 4.46, torchtune): β logits returned to the caller, fp32 log-softmax kept, then the
 *   fp32 gradients of log-softmax and of the upcast logits: β + 12.
 * - hf-legacy-shift (older transformers): logits.float() returned (4), shift_logits.contiguous() (4), log-softmax (4),
 *   and two fp32 gradients (8): 20.
 * - half-loss (cross-entropy in the compute dtype): logits, shifted copy, log-softmax and three gradients: 6β.
 */
export function logitsBytesPerValue(o: ProfileOptions, beta: number): number {
  switch (o.lossPath) {
    case 'ours': return 16;
    case 'hf-fp32-loss': return beta + 12;
    case 'hf-legacy-shift': return 20;
    case 'half-loss': return 6 * beta;
  }
}

export function logitsBytes(spec: ModelSpec, input: EstimateInput, o: ProfileOptions, beta: number): number {
  return logitsBytesPerValue(o, beta) * input.batchSize * input.seqLen * spec.vocabSize;
}

/**
 * The backward's transient: while one layer is differentiated, the gradients of its widest tensors coexist — two
 * [T, I] (d gate, d up) and, when attention is materialised, dP and d scores [B, nh, S²].
 */
export function workspaceBytes(spec: ModelSpec, input: EstimateInput, o: ProfileOptions, beta: number): number {
  const { B, S, T, I, H, nh } = dims(spec, input);
  const scores = o.attention === 'materialised' ? 2 * beta * B * nh * S * S : 0;
  return 2 * beta * T * Math.max(I, H) + scores;
}
