// ngram_repetition: the share of characters / words inside repeated n-grams (Gopher's coverage definition).
import { describe, expect, it } from 'vitest';
import { duplicateCoverage, ngramRepetitionOperator as op } from '../../../../src-main/data/ops/ngram-repetition';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const record = (assistant: string, user = 'Tell me something.'): DataRecord => ({
  idx: 0, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }],
});
async function decide(r: DataRecord, params: Record<string, unknown> = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), {}))(r);
}
const ids = (s: string): number[] => [...s].map((c) => c.codePointAt(0)!);

describe('duplicateCoverage', () => {
  it('counts each unit inside any repeated n-gram once', () => {
    expect(duplicateCoverage(ids('abcdefgh'), 3)).toBe(0);
    expect(duplicateCoverage(ids('abcXabc'), 3)).toBeCloseTo(6 / 7); // both "abc" covered, "X" not
    expect(duplicateCoverage(ids('aaaaaa'), 2)).toBe(1); // overlapping duplicates never count a unit twice
    expect(duplicateCoverage(ids('ab'), 3)).toBe(0); // shorter than n
    expect(duplicateCoverage([], 10)).toBe(0);
  });
});

describe('ngram_repetition', () => {
  it('defaults to 10-grams of characters and of words, at most half the answer repeated', () => {
    expect(op.params.parse({})).toEqual({ field: 'answer', charN: 10, maxCharRatio: 0.5, wordN: 10, maxWordRatio: 0.5 });
  });

  it('keeps ordinary prose', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs. ' +
      'How vexingly quick daft zebras jump! Sphinx of black quartz, judge my vow.';
    expect(await decide(record(text))).toEqual({ action: 'keep' });
  });

  it('removes a model stuck in a loop, with the ratio in the reason', async () => {
    const loop = 'I think the answer is correct. '.repeat(8);
    expect(await decide(record(loop))).toEqual({
      action: 'remove', reason: "100% of the answer's characters are in repeated 10-character n-grams (max 50%)",
    });
  });

  it('catches word-level repetition when character repetition is allowed', async () => {
    const words = 'one two three four five six seven eight nine ten ';
    const d = await decide(record(words.repeat(3)), { maxCharRatio: 1 });
    expect(d).toEqual({ action: 'remove', reason: "100% of the answer's words are in repeated 10-word n-grams (max 50%)" });
  });

  it('compares words without regard to case', async () => {
    const d = await decide(record('Alpha beta gamma delta. ALPHA BETA GAMMA DELTA.'), { maxCharRatio: 1, wordN: 4 });
    expect(d.action).toBe('remove');
  });

  it('looks at the answer by default, so an answer that corrects the prompt is not repetition', async () => {
    const paragraph = 'Their going to the market tomorow to buy some fresh vegetables for dinner.';
    const r = record("They're going to the market tomorrow to buy some fresh vegetables for dinner.", `Fix the grammar: ${paragraph}`);
    expect(await decide(r)).toEqual({ action: 'keep' });
    expect((await decide(r, { field: 'all' })).action).toBe('remove');
  });

  it('counts CJK repetition by characters and words alike', async () => {
    const d = await decide(record('我很好，谢谢你。'.repeat(6)));
    expect(d.action === 'remove' && d.reason).toMatch(/^100% of the answer's characters/);
    expect(await decide(record('自然语言处理是人工智能的一个重要分支，它研究人与计算机之间用自然语言进行有效通信的方法。'))).toEqual({ action: 'keep' });
  });

  it('treats repeated emoji and RTL text like any other text', async () => {
    expect((await decide(record('🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉'))).action).toBe('remove');
    expect(await decide(record('مرحبا بك في عالم البرمجة، حيث نتعلم معا كيفية بناء التطبيقات الحديثة.'))).toEqual({ action: 'keep' });
  });

  it('measures a 1 MB answer of unique text in bounded time, and a 1 MB loop as repeated', async () => {
    let unique = '';
    for (let i = 0; unique.length < 1_000_000; i++) unique += `${i.toString(36)} `;
    const t0 = performance.now();
    expect(await decide(record(unique), { charN: 30 })).toEqual({ action: 'keep' });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect((await decide(record('0123456789abcdef'.repeat(65_536)))).action).toBe('remove');
  });
});
