// score_filter: keeps records whose named score lies in [min, max]; records without the score are kept or removed.
import { describe, expect, it } from 'vitest';
import { scoreFilterOperator } from '../../../../src-main/data/ops/score-filter';
import type { DataRecord, RecordDecider } from '../../../../src-main/data/ops/operator';

const rec = (idx: number, scores?: Record<string, number>): DataRecord => ({ idx, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], ...(scores ? { scores } : {}) });
const make = (params: Record<string, unknown>) => scoreFilterOperator.create(scoreFilterOperator.params.parse(params), {}) as RecordDecider;

describe('score_filter', () => {
  it('keeps scores inside the range and names the score and range when removing', () => {
    const decide = make({ score: 'ifd', max: 1 });
    expect(decide(rec(0, { ifd: 0.42 }))).toEqual({ action: 'keep' });
    expect(decide(rec(1, { ifd: 1 }))).toEqual({ action: 'keep' });
    expect(decide(rec(2, { ifd: 1.3 }))).toEqual({ action: 'remove', reason: 'ifd 1.300 is outside −∞ … 1' });
    expect(make({ score: 'ppl', min: 2, max: 50 })(rec(3, { ppl: 1.5 }))).toMatchObject({ action: 'remove', reason: expect.stringMatching(/ppl 1\.500 is outside 2 … 50/) });
  });

  it('keeps or removes unscored records as told, and refuses an empty or inverted range', () => {
    expect(make({ max: 1 })(rec(0))).toEqual({ action: 'keep' });
    expect(make({ max: 1, missing: 'remove' })(rec(0, { ppl: 3 }))).toEqual({ action: 'remove', reason: 'no ifd score (missing is set to remove)' });
    expect(() => make({})).toThrow(/set min, max or both/);
    expect(() => make({ min: 2, max: 1 })).toThrow(/min 2 is above max 1/);
    expect(scoreFilterOperator.params.parse({})).toEqual({ score: 'ifd', min: null, max: null, missing: 'keep' });
  });
});
