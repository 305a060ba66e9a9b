// LR schedules against transformers' lambdas (written out in python) and what torch's LambdaLR feeds each optimizer step.
//
// Bound: |ours − reference| ≤ 1e-15 for the multiplier (≤ 1; the formulas are the same float64
// operations, only Math.cos vs libm cos may differ by an ulp) and 1e-15 relative for the lr used by
// update k, which must be lrForUpdate(k) = lrAt(k − 1): with warmup the first update runs at lr 0.

import { describe, expect, it } from 'vitest';
import { lrAt, lrFactor, lrForUpdate, warmupStepsFor } from '../../../../src-main/engine/optim';
import { scheduleCases, type ScheduleResult } from '../../../reference/optim/scenarios';
import { SCHEDULE_REF, goldenReference, hasTorch, runReference } from '../../../reference/optim/torch-reference';

const cases = scheduleCases();

function check(results: readonly ScheduleResult[]) {
  cases.forEach((s, i) => {
    const r = results[i];
    expect(r.factor).toHaveLength(s.steps + 1);
    r.factor.forEach((f, n) => expect(Math.abs(lrFactor(n, s) - f), `${s.kind} λ(${n})`).toBeLessThanOrEqual(1e-15));
    r.used.forEach((lr, j) => {
      const k = j + 1;
      expect(Math.abs(lrForUpdate(k, s) - lr), `${s.kind} update ${k}`).toBeLessThanOrEqual(1e-15 * s.lr);
    });
  });
}

describe('lr schedules', () => {
  it("equal transformers' definitions and torch LambdaLR's per-step lr (golden)", () => {
    check(goldenReference<ScheduleResult>(SCHEDULE_REF, cases).results);
  });

  it.skipIf(!hasTorch())('equal them replayed live (needs torch at /usr/bin/python3)', () => {
    check(runReference<ScheduleResult>(SCHEDULE_REF, cases).results);
  });

  it('pins the Hugging Face step semantics: warmup starts at 0, peak after W updates, 0 at T', () => {
    const s = { kind: 'linear' as const, lr: 1e-3, warmupSteps: 10, totalSteps: 100 };
    expect(lrForUpdate(1, s)).toBe(0);
    expect(lrForUpdate(2, s)).toBeCloseTo(1e-4, 15);
    expect(lrForUpdate(11, s)).toBe(1e-3);
    expect(lrAt(100, s)).toBe(0);
    expect(lrAt(120, s)).toBe(0);
    const c = { ...s, kind: 'cosine' as const };
    expect(lrAt(55, c)).toBeCloseTo(5e-4, 15);
    expect(lrAt(100, c)).toBeCloseTo(0, 15);
    expect(lrAt(37, { ...s, kind: 'constant' })).toBe(1e-3);
  });

  it('computes warmup steps like TrainingArguments.get_warmup_steps', () => {
    expect(warmupStepsFor(1000, { warmupSteps: 5, warmupRatio: 0.5 })).toBe(5);
    expect(warmupStepsFor(1000, { warmupRatio: 0.03 })).toBe(30);
    expect(warmupStepsFor(101, { warmupRatio: 0.03 })).toBe(4);
    expect(warmupStepsFor(101, {})).toBe(0);
  });

  it('refuses step indices that are not integers or are out of range', () => {
    const s = { kind: 'constant' as const, lr: 1, warmupSteps: 0, totalSteps: 1 };
    expect(() => lrAt(-1, s)).toThrow(/integer/);
    expect(() => lrAt(1.5, s)).toThrow(/integer/);
    expect(() => lrForUpdate(0, s)).toThrow(/1-based/);
  });
});
