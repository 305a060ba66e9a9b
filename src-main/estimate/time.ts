// The time model: FLOPs of one optimizer step, the throughput that runs them, and the ETA over a token count.
import { loraWidthPerLayer, paramCounts } from './shapes';
import type { EstimateInput } from './types';

export interface StepFlops {
  forward: number;
  backward: number;
  recompute: number;
  total: number;
  /** Tokens one optimizer step processes: B · S · grad-accum. */
  tokens: number;
  perToken: number;
}

/**
 * FLOPs of one optimizer step (the formula of tests/bench/lora-step.bench.ts, generalised):
 * - forward: 2·N·T over the matmul weights (the 7 projections and lm_head), + LoRA's 2·T·r·(in+out) per adapted module,
 *   + attention QKᵀ and P·V, 2·2·B·nh·S²·hd per layer (the full S², as a materialised attention computes it; a fused
 *   causal kernel skips about half of it, so the pytorch-peft profile with fused attention counts half).
 * - backward: the input gradients cost the forward again (2·N·T — frozen weights pass gradients too), + the weight
 *   gradients of trained parameters: 2·N·T in full fine-tuning; LoRA's backward is twice its forward (dB and d(xA),
 *   then dA and its dx), + attention × 2 (dP and dV, then dQ and dK).
 * - gradient checkpointing recomputes one forward.
 */
export function stepFlops(input: EstimateInput): StepFlops {
  const { spec, batchSize: B, seqLen: S, gradAccum } = input;
  const T = B * S;
  const N = paramCounts(spec).matmul;
  const fused = input.profile === 'pytorch-peft' && (input.options?.attention ?? 'fused') === 'fused';
  const attention = (fused ? 0.5 : 1) * spec.numLayers * 2 * 2 * B * spec.numHeads * S * S * spec.headDim;
  const lora = input.method === 'lora' ? 2 * T * input.lora.r * loraWidthPerLayer(spec, input.lora) * spec.numLayers : 0;
  const forward = 2 * N * T + lora + attention;
  // P-tuning's weight gradients are its prompt encoder's, once per micro-batch over nv tokens: ≪ 2·N·T, left out.
  const weightGrads = input.method === 'full' ? 2 * N * T : lora;
  const backward = 2 * N * T + lora + weightGrads + 2 * attention;
  const recompute = input.checkpointing ? forward : 0;
  const micro = forward + backward + recompute;
  const tokens = T * gradAccum;
  return { forward, backward, recompute, total: micro * gradAccum, tokens, perToken: micro / T };
}

export interface Throughput {
  /** Peak FLOP/s of the device in the compute precision (catalog, or the CPU's calibrated MatMul rate). */
  peakFlops: number;
  /** Share of the peak a training step reaches (model FLOPs utilisation). */
  utilisation: number;
  source: string;
}

/** Default utilisation: LoRA fine-tuning in PyTorch reaches ~30–45% MFU on data-centre GPUs (small matmuls, memory-bound
 * elementwise ops); our CPU engine reached ~50% of ORT's own 1024³ MatMul rate in the bench. Both are calibratable. */
export const DEFAULT_UTILISATION = { gpu: 0.35, cpu: 0.5 };

export interface TimeEstimate {
  flops: StepFlops;
  effectiveFlops: number;
  tokensPerSecond: number;
  stepSeconds: number;
  /** Null without a token count. */
  totalSeconds: number | null;
  steps: number | null;
  source: string;
}

/**
 * Throughput from FLOPs (peak × utilisation), unless measured tokens/s of an earlier run of the same model are given:
 * then the measured rate wins, rescaled by the FLOPs per token of this configuration over the measured one's.
 */
export function estimateTime(input: EstimateInput, t: Throughput, datasetTokens: number | null, epochs = 1,
  measured?: { tokensPerSecond: number; flopsPerToken: number }): TimeEstimate {
  const flops = stepFlops(input);
  const effectiveFlops = measured ? measured.tokensPerSecond * measured.flopsPerToken : t.peakFlops * t.utilisation;
  const tokensPerSecond = effectiveFlops / flops.perToken;
  const stepSeconds = flops.tokens / tokensPerSecond;
  const total = datasetTokens == null ? null : epochs * datasetTokens;
  return {
    flops, effectiveFlops, tokensPerSecond, stepSeconds,
    totalSeconds: total == null ? null : total / tokensPerSecond,
    steps: total == null ? null : Math.ceil(total / flops.tokens),
    source: measured ? `measured ${measured.tokensPerSecond.toFixed(0)} tokens/s of an earlier run` : t.source,
  };
}
