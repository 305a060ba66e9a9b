// The dry run's verdict on hand-made runs: loss scaling is needed when unscaled fp16 flushes more than 1% of its
// gradients or drifts more than 2% from fp32 while the scaled run does not; never for bf16; no verdict before the end.
import { describe, expect, it } from 'vitest';
import type { DryRunVariant } from '../../../src-main/common/precision/dry-run';
import { dryRunVerdict, pct } from '../../../src-main/services/precision/verdict';

function run(variant: DryRunVariant['variant'], over: Partial<DryRunVariant> = {}, grad: Partial<NonNullable<DryRunVariant['grad']>> = {}): DryRunVariant {
  return {
    variant, jobId: variant, precision: variant === 'reference' ? 'fp32' : 'fp16', lossScale: variant === 'scaled' ? 'dynamic' : 'none',
    state: 'completed', progress: 1, reason: null, steps: 50, stepsDone: 50, firstLoss: 3, lastLoss: 2, gapToFp32: variant === 'reference' ? 0 : 0.001,
    overflowSteps: 0, skippedSteps: 0, finalLossScale: variant === 'scaled' ? 8192 : null, format: 'fp16',
    grad: { underflow: 0.0001, subnormal: 0.05, overflow: 0, zeros: 0, lines: 10, ...grad }, ...over,
  };
}
const fp16 = (unscaled: DryRunVariant, scaled = run('scaled'), ref = run('reference')) => dryRunVerdict('fp16', [ref, unscaled, scaled]);

describe('dryRunVerdict', () => {
  it('says fp16 needs no scaling when unscaled tracks fp32 and almost nothing flushes', () => {
    const v = fp16(run('unscaled'));
    expect(v.status).toBe('not-needed');
    expect(v.reason).toMatch(/0\.1% below|0\.1% above/);
    expect(v.reason).toMatch(/only 0\.01% of its gradient values would flush/);
  });

  it('says scaling is needed when more than 1% of the unscaled gradients flush to zero', () => {
    const v = fp16(run('unscaled', {}, { underflow: 0.03 }));
    expect(v).toMatchObject({ status: 'needed', title: 'Loss scaling needed' });
    expect(v.reason).toMatch(/^3% of the unscaled fp16 run’s gradient values fall below fp16’s smallest value/);
    // 1% exactly is not beyond the line.
    expect(fp16(run('unscaled', {}, { underflow: 0.01 })).status).toBe('not-needed');
  });

  it('counts gradients the fp16 backward already zeroed: exact zeros beyond fp32’s', () => {
    const v = fp16(run('unscaled', {}, { zeros: 0.25 }), run('scaled'), run('reference', {}, { zeros: 0.2 }));
    expect(v.status).toBe('needed');
    expect(v.reason).toMatch(/^5% more of the unscaled fp16 run’s gradient values are exactly zero than fp32’s/);
  });

  it('says scaling is needed when unscaled drifts beyond 2% of fp32 and the scaled run stays within', () => {
    const v = fp16(run('unscaled', { gapToFp32: 0.05 }), run('scaled', { gapToFp32: -0.005 }));
    expect(v.status).toBe('needed');
    expect(v.reason).toMatch(/ended 5% above fp32’s, with dynamic scaling 0\.5% below/);
  });

  it('does not blame the range when both fp16 runs drift: scaling would not help', () => {
    const v = fp16(run('unscaled', { gapToFp32: 0.05 }), run('scaled', { gapToFp32: 0.04 }));
    expect(v).toMatchObject({ status: 'not-needed', title: 'Loss scaling does not fix this' });
    expect(v.reason).toMatch(/precision, not its range/);
  });

  it('never asks for scaling with bf16, and says why', () => {
    const bf = (v: DryRunVariant) => ({ ...v, precision: 'bf16' as const, format: 'bf16' as const });
    const v = dryRunVerdict('bf16', [run('reference'), bf(run('unscaled', { gapToFp32: 0.05 }, { underflow: 0.2 }))]);
    expect(v.status).toBe('not-needed');
    expect(v.reason).toMatch(/bf16 has fp32’s exponent range/);
    expect(v.reason).toMatch(/cannot restore; its loss ended 5% above fp32’s/);
  });

  it('waits for every run, and gives none when a run failed, diverged or is missing', () => {
    expect(fp16(run('unscaled', { state: 'running' })).status).toBe('pending');
    const failed = fp16(run('unscaled', { state: 'failed', reason: 'engine process killed by SIGKILL' }));
    expect(failed).toMatchObject({ status: 'unknown', reason: 'The fp16 without loss scaling run failed: engine process killed by SIGKILL.' });
    expect(fp16(run('unscaled', { lastLoss: null })).reason).toMatch(/no finite loss/);
    expect(dryRunVerdict('fp16', [run('reference'), run('unscaled')]).status).toBe('unknown');
  });

  it('writes shares with two significant digits', () => {
    expect([0, 0.02, 0.076, 0.000048828, 1e-9, -0.0041].map(pct)).toEqual(['0%', '2%', '7.6%', '0.0049%', '<0.001%', '0.41%']);
  });
});
