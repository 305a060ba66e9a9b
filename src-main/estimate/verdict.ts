// The verdict (fits / tight / out of memory, with the margin) and the fixes, each re-estimated by the same model.
import { GPU_CATALOG, gpuMemoryBytes, supports, type GpuEntry } from './catalog';
import { estimateMemory } from './memory';
import { stepFlops } from './time';
import type { EstimateInput } from './types';

/** Above this share of the capacity a run is 'tight': allocator fragmentation and longer batches can tip it over. */
export const TIGHT_SHARE = 0.85;

export type VerdictStatus = 'fits' | 'tight' | 'oom';
export interface Verdict { status: VerdictStatus; usedBytes: number; capacityBytes: number; marginBytes: number; share: number }

export function verdictOf(usedBytes: number, capacityBytes: number): Verdict {
  const share = usedBytes / capacityBytes;
  const status: VerdictStatus = share > 1 ? 'oom' : share > TIGHT_SHARE ? 'tight' : 'fits';
  return { status, usedBytes, capacityBytes, marginBytes: capacityBytes - usedBytes, share };
}

export type FixKind = 'combined' | 'micro-batch' | 'checkpointing' | 'shorter-seq' | 'lora' | 'lower-rank' | 'fewer-targets' | 'lower-precision' | 'larger-gpu' | 'model-parallel';

export interface Fix {
  kind: FixKind;
  title: string;
  /** What to change (flags of `ftstudio estimate`); empty for advice. */
  change: Partial<Pick<EstimateInput, 'batchSize' | 'gradAccum' | 'checkpointing' | 'seqLen' | 'lora' | 'precision'>> & { method?: 'lora' | 'full'; device?: string };
  totalBytes: number;
  savedBytes: number;
  verdict: Verdict;
  /** Time per token relative to now (1.25 = 25% slower), from the FLOPs of the same step. */
  timeFactor: number;
  /** The fix changes what is trained (shorter sequences truncate data, lower rank / fewer targets change the adapter). */
  changesResult: boolean;
  note: string;
}

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
  if (!fixes.some((f) => f.verdict.status === 'fits' && !f.changesResult)) {
    const combo = combined(input, capacityBytes, before, perToken);
    if (combo) fixes.push(combo);
  }
  if (input.device === 'gpu') fixes.push(...largerGpu(input, before, gpu));
  const rank = (f: Fix) => ({ fits: 0, tight: 1, oom: 2 })[f.verdict.status];
  const elsewhere = (f: Fix) => Number(f.kind === 'larger-gpu' || f.kind === 'model-parallel');
  // Sharding is advice this app cannot apply: always last. Then by verdict; within a verdict, fixes on this device that
  // keep the result first, then the cheapest in time, then the biggest saving.
  const adviceOnly = (f: Fix) => Number(f.kind === 'model-parallel');
  return fixes.sort((a, b) => adviceOnly(a) - adviceOnly(b) || rank(a) - rank(b) || elsewhere(a) - elsewhere(b) || Number(a.changesResult) - Number(b.changesResult)
    || a.timeFactor - b.timeFactor || b.savedBytes - a.savedBytes);
}

/** When no single result-keeping fix fits: checkpointing, then halving the micro-batch (same effective batch), then
 * 16-bit mixed precision, stacked until the run fits. */
function combined(input: EstimateInput, capacityBytes: number, before: number, perToken: number): Fix | null {
  let next: EstimateInput = input;
  const steps: string[] = [];
  const fits = () => verdictOf(estimateMemory(next).totalBytes, capacityBytes).status === 'fits';
  if (!next.checkpointing) [next, steps[steps.length]] = [{ ...next, checkpointing: true }, 'gradient checkpointing'];
  while (!fits() && next.batchSize > 1) {
    const b = Math.floor(next.batchSize / 2);
    next = { ...next, batchSize: b, gradAccum: Math.ceil((input.batchSize * input.gradAccum) / b) };
  }
  if (next.batchSize !== input.batchSize) steps.push(`micro-batch ${next.batchSize} × grad-accum ${next.gradAccum}`);
  if (!fits() && next.precision === 'fp32' && next.profile === 'pytorch-peft') [next, steps[steps.length]] = [{ ...next, precision: 'bf16' }, 'bf16 mixed precision'];
  if (steps.length < 2) return null;
  const total = estimateMemory(next).totalBytes;
  const change = { checkpointing: next.checkpointing, batchSize: next.batchSize, gradAccum: next.gradAccum, precision: next.precision };
  return { kind: 'combined', title: steps.join(' + '), change, totalBytes: total, savedBytes: before - total, verdict: verdictOf(total, capacityBytes),
    timeFactor: stepFlops(next).perToken / perToken, changesResult: false, note: 'the result-keeping fixes together' };
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
