// Verdicts (fits / tight / OOM with the margin) and fixes ranked by the same model.
import { describe, expect, it } from 'vitest';
import { findGpu, GPU_CATALOG, gpuMemoryBytes } from '../../../src-main/estimate/catalog';
import { estimate } from '../../../src-main/estimate';
import { estimateMemory } from '../../../src-main/estimate/memory';
import { catalogModel } from '../../../src-main/estimate/model-catalog';
import { rankFixes, TIGHT_SHARE, verdictOf } from '../../../src-main/estimate/verdict';
import type { EstimateInput } from '../../../src-main/estimate/types';

const LLAMA3 = catalogModel('Llama-3-8B')!;
const run = (over: Partial<EstimateInput> = {}): EstimateInput => ({
  spec: LLAMA3, method: 'lora', lora: { r: 16, targets: 'all-linear', dropout: 0 }, precision: 'bf16', optimizer: 'adamw',
  batchSize: 8, seqLen: 2048, gradAccum: 2, checkpointing: false, profile: 'pytorch-peft', device: 'gpu', ...over,
});

describe('verdict', () => {
  it('is fits up to 85% of the capacity, tight up to 100%, out of memory beyond, with the margin', () => {
    expect(TIGHT_SHARE).toBe(0.85);
    expect(verdictOf(85, 100)).toEqual({ status: 'fits', usedBytes: 85, capacityBytes: 100, marginBytes: 15, share: 0.85 });
    expect(verdictOf(90, 100).status).toBe('tight');
    expect(verdictOf(100, 100).status).toBe('tight');
    expect(verdictOf(120, 100)).toMatchObject({ status: 'oom', marginBytes: -20 });
  });

  it('ranks result-keeping fixes that fit first, keeps the effective batch, and re-estimates each', () => {
    const a100 = findGpu('a100-40gb-sxm')!;
    const cap = gpuMemoryBytes(a100);
    const input = run();
    expect(verdictOf(estimateMemory(input).totalBytes, cap).status).toBe('oom');
    const fixes = rankFixes(input, cap, a100);
    const kinds = fixes.map((f) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(['micro-batch', 'checkpointing', 'shorter-seq', 'lower-rank', 'fewer-targets']));
    // 162 GB as configured: more than the biggest catalog GPU (H200, 141 GB), so the other-hardware fix is sharding advice.
    expect(kinds).toContain('model-parallel');
    for (const f of fixes.filter((x) => x.kind === 'micro-batch')) expect(f.change.batchSize! * f.change.gradAccum!).toBe(16);
    for (const f of fixes.filter((x) => x.kind !== 'larger-gpu' && x.kind !== 'model-parallel')) {
      const { device: _d, ...change } = f.change;
      expect(f.totalBytes).toBe(estimateMemory({ ...input, ...change }).totalBytes);
    }
    // The first fix fits and keeps what is trained; fixes that change the result come after those that do not.
    expect(fixes[0].verdict.status).toBe('fits');
    expect(fixes[0].changesResult).toBe(false);
    const fitting = fixes.filter((f) => f.verdict.status === 'fits');
    const firstChanging = fitting.findIndex((f) => f.changesResult);
    if (firstChanging >= 0) expect(fitting.slice(firstChanging).every((f) => f.changesResult || f.kind === 'larger-gpu')).toBe(true);
    // Checkpointing costs one more forward: about +50% time for LoRA, whose backward is about one forward.
    expect(fixes.find((f) => f.kind === 'checkpointing')!.timeFactor).toBeCloseTo(1.5, 1);
  });

  it('proposes LoRA instead of full fine-tuning, lower precision, and a larger GPU from the catalog', () => {
    const l4 = findGpu('l4')!;
    const full = rankFixes(run({ method: 'full', precision: 'fp32', batchSize: 1, seqLen: 512, gradAccum: 1 }), gpuMemoryBytes(l4), l4);
    expect(full.map((f) => f.kind)).toEqual(expect.arrayContaining(['lora', 'lower-precision']));
    // 8B full fine-tuning in fp32 needs ~16 B × 8 B params: more than any single catalog GPU → model-parallel advice.
    const advice = full.find((f) => f.kind === 'model-parallel')!;
    expect(advice.note).toMatch(/FSDP|ZeRO/);
    expect(advice.change).toEqual({});
    expect(full.at(-1)).toBe(advice); // advice this app cannot apply comes after every fix it can
    const lora = rankFixes(run({ batchSize: 1, seqLen: 1024, gradAccum: 1, lora: { r: 8, targets: ['q_proj', 'v_proj'], dropout: 0 } }), gpuMemoryBytes(findGpu('t4')!), findGpu('t4')!);
    const bigger = lora.find((f) => f.kind === 'larger-gpu')!;
    expect(gpuMemoryBytes(findGpu(bigger.change.device!)!)).toBeGreaterThan(gpuMemoryBytes(findGpu('t4')!));
    // bf16 runs only move to GPUs with compute capability ≥ 8.0.
    expect(Number(findGpu(bigger.change.device!)!.computeCapability)).toBeGreaterThanOrEqual(8);
  });

  it('estimate() puts memory, verdict, fixes, time and cost together for a catalog GPU', () => {
    const r = estimate({ ...run(), device: 'h100-sxm', datasetTokens: 10_000_000, epochs: 2, pricePerKwh: 0.3 });
    expect(r.device).toMatchObject({ kind: 'gpu', name: 'NVIDIA H100 SXM 80GB' });
    expect(r.verdict.capacityBytes).toBe(80 * 2 ** 30);
    expect(r.time!.totalSeconds).toBeCloseTo(2e7 / r.time!.tokensPerSecond, 6);
    // Power: TDP 700 W × 0.8 while training; energy = W × h / 1000.
    expect(r.cost!.energyKwh).toBeCloseTo((560 * r.cost!.hours) / 1000, 9);
    expect(r.cost!.electricityCost).toBeCloseTo(r.cost!.energyKwh! * 0.3, 9);
    expect(r.cost!.cloudCost).toBeGreaterThan(0);
    expect(() => estimate({ ...run(), device: 'nope-9000' })).toThrow(/unknown device/);
    expect(GPU_CATALOG.length).toBeGreaterThanOrEqual(12);
  });
});
