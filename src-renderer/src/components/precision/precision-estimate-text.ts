// The Precision page's memory-and-time card in words: each format's peak memory and step time against fp32's.
import type { EstimateRunOutput } from '../../../../src-main/common/estimate';

export const COMPARED_PRECISIONS = ['fp32', 'bf16', 'fp16'] as const;
export type ComparedPrecision = (typeof COMPARED_PRECISIONS)[number];

const gib = (b: number) => `${(b / 2 ** 30).toFixed(b >= 10 * 2 ** 30 ? 1 : 2)} GiB`;

export function stepTime(s: number | null): string {
  if (s == null) return '—';
  return s < 1 ? `${Math.round(s * 1000)} ms` : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

/** "saves 5.20 GiB (38% less), 41% faster per step" — or the same, or unknown — against the fp32 estimate. */
export function againstFp32(r: EstimateRunOutput, fp32: EstimateRunOutput): string {
  const d = fp32.memory.totalBytes - r.memory.totalBytes;
  const share = Math.abs(d) / fp32.memory.totalBytes;
  const memory = share < 0.005 ? 'the same memory' : d > 0 ? `saves ${gib(d)} (${Math.round(share * 100)}% less)` : `needs ${gib(-d)} more (${Math.round(share * 100)}%)`;
  const [t, t0] = [r.time?.stepSeconds, fp32.time?.stepSeconds];
  let time: string;
  if (t == null || t0 == null) time = 'speed unknown';
  else if (Math.abs(t / t0 - 1) < 0.005) time = 'the same speed';
  else time = t < t0 ? `${(t0 / t).toFixed(1)}× as fast per step` : `${Math.round((t / t0 - 1) * 100)}% slower per step`;
  return `${memory}, ${time}`;
}

/** Why the formats differ (or do not) on this engine and device, in one sentence. */
export function comparisonNote(r: EstimateRunOutput, profile: 'ours' | 'pytorch-peft'): string {
  if (profile === 'ours') {
    return r.device.kind === 'gpu'
      ? 'This app’s engine keeps its memory in fp32 whatever the format; on a GPU provider with float16 kernels (WebGPU) fp16’s matmuls run on them, bf16 is emulated. Exported PyTorch runs on a GPU are where 16 bits pay off.'
      : 'This app’s engine computes in fp32 and emulates bf16/fp16 by exact rounding, so the formats do not change its memory, and on this CPU they cost a little time (measured: an fp16 step 1.08×, a bf16 step 1.54× an fp32 step); exported PyTorch runs on a GPU are where 16 bits pay off.';
  }
  return r.device.kind === 'gpu'
    ? 'PyTorch autocast keeps weights and activations in 16 bits (plus fp32 master weights for full fine-tuning) and uses the GPU’s faster 16-bit peak.'
    : 'On a CPU, 16-bit formats halve the activations; the speed uses the CPU’s measured fp32 rate for all three.';
}
