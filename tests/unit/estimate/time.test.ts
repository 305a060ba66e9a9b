// The time, energy and money model: FLOPs on a hand-computed case, equal to the bench's formula, ETA and cost.
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../src-main/estimate/cost';
import { CPU_EMULATION_SLOWDOWN, throughputOf } from '../../../src-main/estimate';
import { estimateTime, stepFlops } from '../../../src-main/estimate/time';
import { BENCH, input } from './fixtures';

describe('estimate time', () => {
  it('counts the FLOPs of a step by hand', () => {
    // Tiny model, T = 4, N (matmul weights) = 1232, LoRA r2 on q (8→8) and v (8→4): width 16 + 12 = 28.
    // LoRA forward 2·T·r·width·L = 2·4·2·28·2 = 896. Attention (fused: half of the S²): ½·L·2·2·B·nh·S²·hd = ½·2·4·2·16·4 = 512.
    // forward = 2·N·T + 896 + 512 = 9856 + 1408 = 11264; backward = 2·N·T + 896 (dx) + 896 (dA, dB) + 2·512 = 12672.
    const f = stepFlops(input());
    expect([f.forward, f.backward, f.recompute, f.total, f.tokens, f.perToken]).toEqual([11264, 12672, 0, 23936, 4, 5984]);
    // Checkpointing recomputes the forward; grad-accum multiplies the step, not the per-token cost.
    const g = stepFlops(input({ checkpointing: true, gradAccum: 3 }));
    expect([g.recompute, g.total, g.tokens, g.perToken]).toEqual([11264, 3 * 35200, 12, 8800]);
    // Full fine-tuning adds the weight gradients 2·N·T (and drops LoRA's).
    expect(stepFlops(input({ method: 'full' })).backward).toBe(9856 + 9856 + 1024);
  });

  it('equals the FLOPs formula of tests/bench/lora-step.bench.ts for its config (ours, materialised attention)', () => {
    // Copied from the bench: 2·matmulParams·T·2 + 3·2·loraParams·T + attention·3.
    const [H, I, L, nh, nkv, V, B, S, r] = [512, 1408, 8, 8, 4, 8192, 4, 256, 16];
    const hd = H / nh;
    const T = B * S;
    const matmulParams = L * (H * nh * hd + 2 * H * nkv * hd + nh * hd * H + 3 * H * I) + H * V;
    const loraParams = L * r * (2 * H + 2 * (H + nkv * hd) + 2 * H + 3 * (H + I));
    const bench = 2 * matmulParams * T * 2 + 3 * 2 * loraParams * T + L * 2 * 2 * B * nh * S * S * hd * 3;
    const ours = stepFlops({ ...input({ profile: 'ours', device: 'cpu', precision: 'fp32', batchSize: B, seqLen: S }), spec: BENCH, lora: { r, targets: 'all-linear', dropout: 0 } });
    expect(ours.total).toBe(bench);
  });

  it('turns a peak and a utilisation, or a measured rate, into tokens/s and an ETA', () => {
    // 5984 FLOPs per token at 5984 × 100 effective FLOP/s → 100 tokens/s; 1000 tokens × 2 epochs = 20 s, 2000 / 4 = 500 steps.
    const t = estimateTime(input(), { peakFlops: 5984 * 200, utilisation: 0.5, source: 'test' }, 1000, 2);
    expect([t.tokensPerSecond, t.stepSeconds, t.totalSeconds, t.steps]).toEqual([100, 0.04, 20, 500]);
    // A measured 50 tokens/s of a config costing twice the FLOPs per token → 100 tokens/s here.
    const m = estimateTime(input(), { peakFlops: 1, utilisation: 1, source: 'x' }, null, 1, { tokensPerSecond: 50, flopsPerToken: 2 * 5984 });
    expect(m.tokensPerSecond).toBe(100);
    expect(m.totalSeconds).toBeNull();
  });

  it('prices energy and cloud time', () => {
    // 2 h at 300 W = 0.6 kWh; at 0.25 per kWh = 0.15; 2 h at 1.8 per hour = 3.6.
    expect(estimateCost({ seconds: 7200, powerW: 300, pricePerKwh: 0.25, pricePerHour: 1.8 })).toEqual({ hours: 2, energyKwh: 0.6, electricityCost: 0.15, cloudCost: 3.6 });
    expect(estimateCost({ seconds: 3600, powerW: null, pricePerKwh: 0.25, pricePerHour: null })).toEqual({ hours: 1, energyKwh: null, electricityCost: null, cloudCost: null });
  });
});

describe('emulated precision on the CPU (our engine)', () => {
  it('slows the CPU rate by the measured emulation cost: fp16 1.08×, bf16 1.54×, and says so; PyTorch profiles are untouched', () => {
    const req = (precision: 'fp32' | 'fp16' | 'bf16', profile: 'ours' | 'pytorch-peft' = 'ours') => ({
      ...input({ precision, profile }), device: 'cpu', cpu: { memoryBytes: 64e9, matmulGflops: 200, powerW: null }, utilisation: 0.5,
    });
    const device = { kind: 'cpu' as const, name: 'cpu', capacityBytes: 64e9, gpu: null };
    const fp32 = throughputOf(req('fp32'), device)!;
    expect(fp32.peakFlops).toBe(200e9);
    expect(fp32.source).toBe('calibrated CPU MatMul 200 GFLOP/s × 0.5');
    expect(throughputOf(req('fp16'), device)!.peakFlops).toBeCloseTo(200e9 / 1.08, -3);
    expect(throughputOf(req('bf16'), device)!).toMatchObject({ peakFlops: expect.closeTo(200e9 / 1.54, -3), source: expect.stringMatching(/÷ 1\.54 for emulated bf16 \(measured\)$/) });
    expect(throughputOf(req('bf16', 'pytorch-peft'), device)!.peakFlops).toBe(200e9);
    expect(CPU_EMULATION_SLOWDOWN).toEqual({ fp32: 1, fp16: 1.08, bf16: 1.54 });
  });
});
