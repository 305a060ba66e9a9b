// Combined fixes: when no single fix makes a run fit, the smallest set of fixes that does, found by re-estimating every
// combination with the same memory model (a few hundred estimates at most: each is arithmetic, microseconds).
import { estimateMemory } from './memory';
import { stepFlops } from './time';
import type { EstimateInput } from './types';
import { verdictOf, type Fix, type VerdictStatus } from './verdict-core';

/** One choice on one axis (micro-batch, checkpointing, length, method/adapter, precision); a combination takes at most
 * one per axis, so no two parts set the same setting. */
export interface Part { axis: string; title: string; change: Omit<Fix['change'], 'device'>; changesResult: boolean }

/** The choices a combination can take, per axis, from the mildest to the strongest. */
export function combinationAxes(input: EstimateInput, half: 'bf16' | 'fp16'): Part[][] {
  const { batchSize: B, gradAccum: A, seqLen: S } = input;
  const micro: Part[] = [];
  for (let b = Math.floor(B / 2); b >= 1; b = Math.floor(b / 2)) {
    micro.push({ axis: 'micro', title: `micro-batch ${b} × grad-accum ${Math.ceil((B * A) / b)}`, change: { batchSize: b, gradAccum: Math.ceil((B * A) / b) }, changesResult: false });
    if (b === 1) break;
  }
  const axes: Part[][] = [micro];
  if (!input.checkpointing) axes.push([{ axis: 'ckpt', title: 'gradient checkpointing', change: { checkpointing: true }, changesResult: false }]);
  if (S >= 256) axes.push([{ axis: 'seq', title: `max length ${S / 2}`, change: { seqLen: S / 2 }, changesResult: true }]);
  if (input.method === 'full') {
    axes.push([{ axis: 'adapter', title: 'LoRA r 16 instead of full fine-tuning', change: { method: 'lora', lora: { r: 16, targets: 'all-linear', dropout: 0 } }, changesResult: true }]);
  } else if (input.method === 'lora') {
    const adapter: Part[] = [];
    const r = Math.max(8, input.lora.r / 2);
    if (input.lora.r > 8) adapter.push({ axis: 'adapter', title: `rank ${r}`, change: { lora: { ...input.lora, r } }, changesResult: true });
    if (input.lora.targets === 'all-linear' || input.lora.targets.length > 2) adapter.push({ axis: 'adapter', title: 'targets q_proj,v_proj', change: { lora: { ...input.lora, targets: ['q_proj', 'v_proj'] } }, changesResult: true });
    if (adapter.length) axes.push(adapter);
  }
  if (input.precision === 'fp32' && input.profile === 'pytorch-peft') axes.push([{ axis: 'precision', title: `${half} mixed precision`, change: { precision: half }, changesResult: false }]);
  return axes.filter((a) => a.length);
}

/** Every combination of two or more axes, one choice each. */
function* combinations(axes: Part[][], from = 0, picked: Part[] = []): Generator<Part[]> {
  if (from === axes.length) {
    if (picked.length >= 2) yield picked;
    return;
  }
  yield* combinations(axes, from + 1, picked);
  for (const p of axes[from]) yield* combinations(axes, from + 1, [...picked, p]);
}

const apply = (input: EstimateInput, parts: readonly Part[]): EstimateInput => Object.assign({ ...input }, ...parts.map((p) => p.change));

interface Scored { parts: Part[]; totalBytes: number; status: VerdictStatus; timeFactor: number; changesResult: boolean; batch: number }

/**
 * The best combination that fits (else one that is at least tight), among those whose every part is needed (dropping
 * any one of them no longer fits). `keepResult`: only parts that leave what is trained unchanged. Best: keeps the
 * result, then fewest parts, then least compute per token, then the mildest (largest) micro-batch.
 */
export function bestCombination(input: EstimateInput, capacityBytes: number, axes: Part[][], keepResult: boolean): Fix | null {
  const usable = axes.map((a) => a.filter((p) => !keepResult || !p.changesResult)).filter((a) => a.length);
  const perToken = stepFlops(input).perToken;
  const before = estimateMemory(input).totalBytes;
  const memo = new Map<string, number>();
  const total = (parts: readonly Part[]) => {
    const key = parts.map((p) => p.title).join('|');
    if (!memo.has(key)) memo.set(key, estimateMemory(apply(input, parts)).totalBytes);
    return memo.get(key)!;
  };
  const statusOf = (parts: readonly Part[]) => verdictOf(total(parts), capacityBytes).status;
  const scored: Scored[] = [];
  for (const parts of combinations(usable)) {
    const status = statusOf(parts);
    if (status === 'oom') continue;
    // Minimal: without any one of its parts the run would be worse off (tight instead of fits, or out of memory).
    const needed = (i: number) => statusOf(parts.filter((_, j) => j !== i)) !== status && statusOf(parts.filter((_, j) => j !== i)) !== 'fits';
    if (!parts.every((_, i) => needed(i))) continue;
    const next = apply(input, parts);
    scored.push({ parts, totalBytes: total(parts), status, timeFactor: stepFlops(next).perToken / perToken, changesResult: parts.some((p) => p.changesResult), batch: next.batchSize });
  }
  const rank = (s: Scored) => [s.status === 'fits' ? 0 : 1, Number(s.changesResult), s.parts.length, Math.round(s.timeFactor * 100), -s.batch];
  const best = scored.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x.reduce((d, v, i) => d || v - y[i], 0);
  })[0];
  if (!best) return null;
  const change: Fix['change'] = Object.assign({}, ...best.parts.map((p) => p.change));
  const changing = best.parts.filter((p) => p.changesResult).map((p) => p.title);
  return {
    kind: 'combined', title: best.parts.map((p) => p.title).join(' + '), change, totalBytes: best.totalBytes, savedBytes: before - best.totalBytes,
    verdict: verdictOf(best.totalBytes, capacityBytes), timeFactor: best.timeFactor, changesResult: best.changesResult,
    note: changing.length
      ? `no single change is enough; together they are (${changing.join(', ')} changes what is trained)`
      : 'no single change is enough; together they are, and what is trained stays the same',
  };
}
