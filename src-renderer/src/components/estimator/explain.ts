// The estimator's words and colours: what each memory component is and why it grows, the verdict in plain words, number formats.
import type { EstimateRunOutput, EstimateVerdict, MemoryKey } from '../../../../src-main/common/estimate';

export interface ComponentInfo { label: string; color: string; why: string }

/** One colour per component, stable across estimates so the bar can be compared by eye. */
export const COMPONENTS: Record<MemoryKey, ComponentInfo> = {
  weights: { label: 'Weights', color: '#4f7cac', why: 'The base model itself: every parameter in its stored format (2 bytes in bf16/fp16, 4 in fp32).' },
  trainableParams: { label: 'Trainable parameters', color: '#7fb3d5', why: 'The parameters being learned: the whole model in full fine-tuning, only the small LoRA matrices otherwise.' },
  gradients: { label: 'Gradients', color: '#e5a04b', why: 'One gradient per trainable parameter, the same size as those parameters.' },
  optimizerState: { label: 'Optimizer state', color: '#d1603d', why: 'AdamW keeps two running averages per trainable parameter (momentum and variance), each in fp32: 8 bytes per parameter — the reason full fine-tuning is so heavy.' },
  masterWeights: { label: 'fp32 master weights', color: '#a4508b', why: 'Mixed precision keeps an fp32 copy of every trainable weight so that tiny updates are not rounded away in 16 bits.' },
  activations: { label: 'Activations', color: '#5b9a68', why: 'What each layer keeps from the forward pass for the backward. It grows with batch × length (every token of every example), and the attention scores with batch × length²; gradient checkpointing keeps only each layer’s input and recomputes the rest.' },
  logits: { label: 'Logits and loss', color: '#8cc084', why: 'The scores over the whole vocabulary for every token (batch × length × vocabulary), kept in fp32 for the softmax: large for models with 150 000-word vocabularies.' },
  loraIntermediates: { label: 'LoRA intermediates', color: '#b5d99c', why: 'Each adapted projection keeps its input and the small x·A product for the backward.' },
  workspace: { label: 'Workspace', color: '#c9c9c9', why: 'Temporary buffers of the kernels (matrix products, softmax) during a step.' },
  allocatorSlack: { label: 'Allocator slack', color: '#a0a0a0', why: 'Memory the allocator holds but cannot use: fragmentation and cached blocks.' },
  runtime: { label: 'Runtime', color: '#6b6b6b', why: 'The fixed cost of the runtime: the CUDA context on a GPU, the app’s engine process on the CPU.' },
};

/** Binary gigabytes, as GPU memory is sized (an RTX 4090's 24 GiB) and as nvidia-smi and PyTorch report it: "15.6 GiB". */
export function gb(bytes: number): string {
  const v = bytes / 2 ** 30;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} GiB`;
}

export function count(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

export function hours(h: number): string {
  if (h < 1 / 60) return `${Math.max(1, Math.round(h * 3600))} s`;
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

export const VERDICT_WORDS: Record<EstimateVerdict['status'], string> = { fits: 'Fits', tight: 'Tight', oom: 'Out of memory' };

/** The verdict as a sentence: what is used of what, and what is left (or missing). */
export function verdictSentence(v: EstimateVerdict, device: { kind: 'cpu' | 'gpu'; name: string }): string {
  const where = device.kind === 'cpu' ? `this computer’s ${gb(v.capacityBytes)} of memory` : `the ${device.name}’s ${gb(v.capacityBytes)}`;
  const used = `${gb(v.usedBytes)} of ${where} (${Math.round(v.share * 100)}%)`;
  if (v.status === 'oom') return `Needs ${used}: ${gb(-v.marginBytes)} more than there is. The run would stop with an out-of-memory error at its first step.`;
  if (v.status === 'tight') return `Uses ${used}, leaving ${gb(v.marginBytes)}. It should start, but fragmentation or a longer batch can tip it over: keep some headroom.`;
  return `Uses ${used}, leaving ${gb(v.marginBytes)} free.`;
}

/** Why the biggest part of this estimate is big, in one line. */
export function biggestReason(r: EstimateRunOutput): string | null {
  const top = [...r.memory.components].sort((a, b) => b.bytes - a.bytes)[0];
  if (!top || top.bytes <= 0) return null;
  return `The largest part is ${COMPONENTS[top.key].label.toLowerCase()} (${gb(top.bytes)}, ${Math.round((top.bytes / r.memory.totalBytes) * 100)}%). ${COMPONENTS[top.key].why}`;
}
