// The verdict (fits / tight / out of memory, with the margin) and the fixes, each re-estimated by the same model.
import { GPU_CATALOG, gpuMemoryBytes, supports, type GpuEntry } from './catalog';
import { estimateMemory } from './memory';
import { stepFlops } from './time';
import type { EstimateInput } from './types';
import { bestCombination, combinationAxes } from './combine';
import { TIGHT_SHARE, verdictOf, type Fix, type FixKind } from './verdict-core';

export { TIGHT_SHARE, verdictOf } from './verdict-core';
export type { Fix, FixKind, Verdict, VerdictStatus } from './verdict-core';

interface Candidate { kind: FixKind; title: string; change: Fix['change']; changesResult: boolean; note: string }

function candidates(input: EstimateInput, gpu: GpuEntry | null): Candidate[] {
  const out: Candidate[] = [];
  const { batchSize: B, gradAccum: A, seqLen: S } = input;
  for (let b = Math.floor(B / 2); b >= 1; b = Math.floor(b / 2)) {
    // Same effective batch B·A: halve the micro-batch, double the accumulation.
    const accum = Math.ceil((B * A) / b);
    out.push({ kind: 'micro-batch', title: `micro-batch ${b} × grad-accum ${accum} (same effective batch ${B * A})`, change: { batchSize: b, gradAccum: accum }, changesResult: false, note: 'activations scale with the micro-batch; small micro-batches use a GPU less efficiently' });
    if (b === 1) break;
  }
  if (!input.checkpointing) out.push({ kind: 'checkpointing', title: 'gradient checkpointing', change: { checkpointing: true }, changesResult: false, note: 'keeps only each layer\'s input and recomputes the layer in the backward (one more forward)' });
  if (S >= 256) out.push({ kind: 'shorter-seq', title: `max length ${S / 2}`, change: { seqLen: S / 2 }, changesResult: true, note: 'longer examples are truncated or dropped: check the length histogram first' });
  if (input.method === 'full') out.push({ kind: 'lora', title: 'LoRA (r 16, all-linear) instead of full fine-tuning', change: { method: 'lora', lora: { r: 16, targets: 'all-linear', dropout: 0 } }, changesResult: true, note: 'frees the gradients, optimizer state and master weights of every base weight' });
  if (input.method === 'lora' && input.lora.r > 8) out.push({ kind: 'lower-rank', title: `rank ${Math.max(8, input.lora.r / 2)}`, change: { lora: { ...input.lora, r: Math.max(8, input.lora.r / 2) } }, changesResult: true, note: 'a smaller adapter; saves little unless the rank is large' });
  if (input.method === 'lora' && (input.lora.targets === 'all-linear' || input.lora.targets.length > 2)) out.push({ kind: 'fewer-targets', title: 'targets q_proj,v_proj', change: { lora: { ...input.lora, targets: ['q_proj', 'v_proj'] } }, changesResult: true, note: 'fewer adapted projections keep fewer inputs for the backward' });
  if (input.precision === 'fp32' && input.profile === 'pytorch-peft') {
    const half = !gpu || supports(gpu, 'bf16') ? 'bf16' : 'fp16';
    out.push({ kind: 'lower-precision', title: `${half} mixed precision`, change: { precision: half }, changesResult: false, note: half === 'fp16' ? 'this GPU has no bf16 (compute capability < 8.0): fp16 needs loss scaling' : 'halves weights and activations' });
  }
  return out;
}

/** Fixes for a run that is tight or out of memory, best first: those that fit, then the cheapest in time. */
export function rankFixes(input: EstimateInput, capacityBytes: number, gpu: GpuEntry | null): Fix[] {
  const before = estimateMemory(input).totalBytes;
  const perToken = stepFlops(input).perToken;
  const fixes: Fix[] = candidates(input, gpu).map((c) => {
    const { device: _device, ...change } = c.change;
    const next: EstimateInput = { ...input, ...change };
    const total = estimateMemory(next).totalBytes;
    return { ...c, totalBytes: total, savedBytes: before - total, verdict: verdictOf(total, capacityBytes), timeFactor: stepFlops(next).perToken / perToken };
  }).filter((f) => f.savedBytes > 0);
  fixes.push(...combinedFixes(input, capacityBytes, gpu, fixes));
  if (input.device === 'gpu') fixes.push(...largerGpu(input, before, gpu));
  const rank = (f: Fix) => ({ fits: 0, tight: 1, oom: 2 })[f.verdict.status];
  const elsewhere = (f: Fix) => Number(f.kind === 'larger-gpu' || f.kind === 'model-parallel');
  // Sharding is advice this app cannot apply: always last. Then by verdict; within a verdict, fixes on this device that
  // keep the result first, then the cheapest in time, then the biggest saving.
  const adviceOnly = (f: Fix) => Number(f.kind === 'model-parallel');
  return fixes.sort((a, b) => adviceOnly(a) - adviceOnly(b) || rank(a) - rank(b) || elsewhere(a) - elsewhere(b) || Number(a.changesResult) - Number(b.changesResult)
    || a.timeFactor - b.timeFactor || b.savedBytes - a.savedBytes);
}

/**
 * Combinations, when singles are not enough: the best result-keeping one when no result-keeping single fits, and, when
 * no single fix fits at all, the best of any kind (LoRA instead of full + checkpointing, …) if that is a different one.
 */
function combinedFixes(input: EstimateInput, capacityBytes: number, gpu: GpuEntry | null, singles: readonly Fix[]): Fix[] {
  const fits = (f: Fix) => f.verdict.status === 'fits';
  if (singles.some((f) => fits(f) && !f.changesResult)) return [];
  const axes = combinationAxes(input, !gpu || supports(gpu, 'bf16') ? 'bf16' : 'fp16');
  const keep = bestCombination(input, capacityBytes, axes, true);
  const out = keep && fits(keep) ? [keep] : [];
  const any = singles.some(fits) ? null : bestCombination(input, capacityBytes, axes, false);
  if (any && any.title !== out[0]?.title) out.push(any);
  return out;
}

/** The smallest catalog GPU the run fits (that also has the precision), else model-parallel advice. */
function largerGpu(input: EstimateInput, total: number, current: GpuEntry | null): Fix[] {
  const usable = GPU_CATALOG.filter((g) => input.precision !== 'bf16' || supports(g, 'bf16'))
    .sort((a, b) => a.memoryGiB - b.memoryGiB);
  const hit = usable.find((g) => g.id !== current?.id && verdictOf(total, gpuMemoryBytes(g)).status === 'fits');
  const base = { totalBytes: total, savedBytes: 0, timeFactor: 1, changesResult: false };
  if (hit) return [{ ...base, kind: 'larger-gpu', title: `a GPU with more memory: ${hit.name} (${hit.memoryGiB} GB)`, change: { device: hit.id }, verdict: verdictOf(total, gpuMemoryBytes(hit)), note: 'the smallest GPU in the catalog this run fits on' }];
  const biggest = usable.at(-1)!;
  const n = Math.ceil(total / (TIGHT_SHARE * gpuMemoryBytes(biggest)));
  return [{ ...base, kind: 'model-parallel', title: `shard across about ${n} × ${biggest.name}`, change: {}, verdict: verdictOf(total, n * gpuMemoryBytes(biggest)), note: 'advice only: this app trains on one device. Sharded data parallelism (PyTorch FSDP, DeepSpeed ZeRO-3) or tensor/pipeline parallelism (Megatron-LM) split weights, gradients and optimizer state across GPUs' }];
}
