// Combined fixes: when no single fix makes a run fit, the smallest combination that does, by the same memory model.
import { describe, expect, it } from 'vitest';
import { findGpu, gpuMemoryBytes } from '../../../src-main/estimate/catalog';
import { bestCombination, combinationAxes } from '../../../src-main/estimate/combine';
import { estimateMemory } from '../../../src-main/estimate/memory';
import { catalogModel } from '../../../src-main/estimate/model-catalog';
import { stepFlops } from '../../../src-main/estimate/time';
import type { EstimateInput } from '../../../src-main/estimate/types';
import { rankFixes, TIGHT_SHARE, type Fix } from '../../../src-main/estimate/verdict';

const GiB = 2 ** 30;
const run = (model: string, over: Partial<EstimateInput>): EstimateInput => ({
  spec: catalogModel(model)!, method: 'lora', lora: { r: 16, targets: 'all-linear', dropout: 0 }, precision: 'bf16', optimizer: 'adamw',
  batchSize: 1, seqLen: 1024, gradAccum: 1, checkpointing: false, profile: 'pytorch-peft', device: 'gpu', ...over,
});
/** A fix's change without the device (combinations never move the run elsewhere). */
const on = (input: EstimateInput, change: Fix['change']): EstimateInput => { const { device: _d, ...rest } = change; return { ...input, ...rest }; };
const gib = (input: EstimateInput) => estimateMemory(input).totalBytes / GiB;

describe('combined fixes', () => {
  it('full FT of Qwen2.5-1.5B on an L4: neither micro-batch 1 nor LoRA fits alone, the pair does, and it is offered first', () => {
    const l4 = findGpu('l4')!;
    const cap = gpuMemoryBytes(l4); // 24 GiB; "fits" below 85% = 20.4 GiB
    const input = run('Qwen2.5-1.5B', { method: 'full', batchSize: 4, seqLen: 2048 });
    const lora = { method: 'lora' as const, lora: { r: 16, targets: 'all-linear' as const, dropout: 0 } };
    // By hand from the model: as set 65.3 GiB; micro-batch 1 (×4 accum) 33.9 GiB — 1.54 B params × 16 B of weights,
    // gradients, master and Adam state (≈ 23 GiB) is more than an L4 holds before any activation; LoRA alone 45.5 GiB
    // (the activations of 4 × 2048 tokens); LoRA at micro-batch 1: 14.1 GiB.
    expect(gib(input)).toBeCloseTo(65.3, 1);
    expect(gib({ ...input, batchSize: 1, gradAccum: 4 })).toBeCloseTo(33.9, 1);
    expect(gib({ ...input, ...lora })).toBeCloseTo(45.5, 1);
    expect(gib({ ...input, ...lora, batchSize: 1, gradAccum: 4 })).toBeCloseTo(14.1, 1);
    expect(14.1 * GiB).toBeLessThan(TIGHT_SHARE * cap);

    const fixes = rankFixes(input, cap, l4);
    const singles = fixes.filter((f) => f.kind !== 'combined' && f.kind !== 'larger-gpu');
    expect(singles.length).toBeGreaterThan(3);
    expect(singles.every((f) => f.verdict.status === 'oom')).toBe(true);
    const combo = fixes[0];
    expect(combo.kind).toBe('combined');
    expect(combo.title).toBe('micro-batch 1 × grad-accum 4 + LoRA r 16 instead of full fine-tuning');
    // One change with every key, applied as one merge, re-estimates to the same total.
    expect(combo.change).toEqual({ batchSize: 1, gradAccum: 4, ...lora });
    expect(combo.totalBytes).toBe(estimateMemory(on(input, combo.change)).totalBytes);
    expect(combo.savedBytes).toBe(estimateMemory(input).totalBytes - combo.totalBytes);
    expect(combo).toMatchObject({ changesResult: true, verdict: { status: 'fits' } });
    // LoRA drops the weight gradients: 2·N·T of the 6·N·T per token, so ≈ 0.70 of the compute.
    expect(combo.timeFactor).toBeCloseTo(stepFlops(on(input, combo.change)).perToken / stepFlops(input).perToken, 9);
    expect(combo.timeFactor).toBeCloseTo(0.7, 1);
    expect(combo.note).toContain('changes what is trained');
    // Ranked with the singles: before the other-hardware fix, which fits too.
    expect(fixes.findIndex((f) => f.kind === 'larger-gpu')).toBeGreaterThan(0);
  });

  it('LoRA on Llama-3-8B, 8 × 4096 tokens on an A100 40GB: micro-batch 1 + checkpointing, keeping what is trained', () => {
    const a100 = findGpu('a100-40gb-sxm')!;
    const cap = gpuMemoryBytes(a100); // 40 GiB; fits below 34 GiB
    const input = run('Llama-3-8B', { batchSize: 8, seqLen: 4096 });
    expect(gib({ ...input, batchSize: 1, gradAccum: 8 })).toBeCloseTo(49.8, 1); // alone: out of memory
    expect(gib({ ...input, checkpointing: true })).toBeCloseTo(94.1, 1); // alone: out of memory
    expect(gib({ ...input, batchSize: 1, gradAccum: 8, checkpointing: true })).toBeCloseTo(25.8, 1); // together: fits
    const combo = rankFixes(input, cap, a100)[0];
    expect(combo).toMatchObject({ kind: 'combined', changesResult: false, change: { batchSize: 1, gradAccum: 8, checkpointing: true }, verdict: { status: 'fits' } });
    expect(combo.title).toBe('micro-batch 1 × grad-accum 8 + gradient checkpointing');
    expect(combo.timeFactor).toBeGreaterThan(1.3); // one more forward
  });

  it('is minimal: the mildest micro-batch that fits, and no part that is not needed', () => {
    const a100 = findGpu('a100-40gb-sxm')!;
    const cap = gpuMemoryBytes(a100);
    const input = run('Llama-3-8B', { batchSize: 8, seqLen: 2048 });
    const axes = combinationAxes(input, 'bf16');
    const combo = bestCombination(input, cap, axes, true)!;
    const { batchSize: b } = combo.change;
    expect(combo.verdict.status).toBe('fits');
    // Doubling its micro-batch would no longer fit; dropping checkpointing would not either.
    expect(estimateMemory(on(input, { ...combo.change, batchSize: b! * 2, gradAccum: 8 / (b! * 2) })).totalBytes).toBeGreaterThan(TIGHT_SHARE * cap);
    expect(estimateMemory(on(input, { ...combo.change, checkpointing: false })).totalBytes).toBeGreaterThan(TIGHT_SHARE * cap);
  });

  it('is not offered when a single fix that keeps the result fits, nor when nothing fits', () => {
    const h100 = findGpu('h100-sxm')!;
    const fixes = rankFixes(run('Llama-3-8B', { batchSize: 8, seqLen: 1024 }), gpuMemoryBytes(h100), h100);
    expect(fixes.some((f) => f.verdict.status === 'fits' && !f.changesResult && f.kind !== 'combined')).toBe(true);
    expect(fixes.some((f) => f.kind === 'combined')).toBe(false);
    // 13B full fine-tuning on a T4 (16 GB; LoRA alone needs the 26 GB of fp16 weights): no combination gets anywhere near, so none is listed.
    const t4 = findGpu('t4')!;
    const hopeless = rankFixes(run('Llama-2-13B', { method: 'full', precision: 'fp16', batchSize: 4 }), gpuMemoryBytes(t4), t4);
    expect(hopeless.some((f) => f.kind === 'combined')).toBe(false);
  });
});
