// near_dedup: edited copies above the Jaccard threshold are removed and point at the kept record; distinct ones stay.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../src-main/data/dedup/hash';
import { nearDedupOperator } from '../../../../src-main/data/ops/near-dedup';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const rand = mulberry32(11);
const VOCAB = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}x`);
const randomWords = (n: number) => Array.from({ length: n }, () => VOCAB[Math.floor(rand() * VOCAB.length)]);
const rec = (idx: number, prompt: string, answer: string): DataRecord => ({
  idx, messages: [{ role: 'user', content: prompt }, { role: 'assistant', content: answer }],
});
const fromWords = (idx: number, ws: string[]) => rec(idx, ws.slice(0, 20).join(' '), ws.slice(20).join(' '));

/** Replaces every STEP-th word (10 → 10% of the words edited, spread out). */
const editEvery = (ws: string[], step: number) => ws.map((w, i) => (i % step === step - 1 ? `edit${i}` : w));

async function run(records: DataRecord[], params: object = {}): Promise<Decision[]> {
  const decide = await nearDedupOperator.create(nearDedupOperator.params.parse(params), {});
  return records.map(decide);
}

describe('near_dedup', () => {
  it('has the documented defaults', () => {
    expect(nearDedupOperator.params.parse({})).toEqual({ threshold: 0.7, numPerm: 256, ngram: 5, scope: 'prompt_answer', seed: 1 });
  });

  it('with defaults removes a copy with one word in a hundred changed, and keeps 50 distinct records', async () => {
    const base = randomWords(100);
    const records = [fromWords(0, base), ...Array.from({ length: 50 }, (_, i) => fromWords(i + 1, randomWords(100)))];
    records.push(fromWords(51, editEvery(base, 100)));
    const out = await run(records);
    expect(out.slice(0, 51).every((d) => d.action === 'keep')).toBe(true);
    expect(out[51]).toMatchObject({ action: 'remove', duplicateOf: 0 });
    expect((out[51] as { reason: string }).reason).toMatch(/^near duplicate of record #0 \(estimated Jaccard 0\.\d\d\)$/);
  });

  it('catches a 10%-edited copy with 2-word shingles at 0.5, which the 5-word default (Jaccard ≈ 0.4) lets through', async () => {
    const base = randomWords(120);
    const records = [fromWords(0, base), fromWords(1, randomWords(120)), fromWords(2, editEvery(base, 10))];
    const tolerant = await run(records, { ngram: 2, threshold: 0.5 });
    expect(tolerant.map((d) => d.action)).toEqual(['keep', 'keep', 'remove']);
    expect(tolerant[2]).toMatchObject({ duplicateOf: 0 });
    expect((await run(records)).map((d) => d.action)).toEqual(['keep', 'keep', 'keep']);
  });

  it('points at the kept record, not at a removed copy', async () => {
    const base = randomWords(100);
    const out = await run([fromWords(5, base), fromWords(6, editEvery(base, 100)), fromWords(7, editEvery(base, 99))]);
    expect(out.map((d) => (d.action === 'remove' ? d.duplicateOf : d.action))).toEqual(['keep', 5, 5]);
  });

  it('respects the scope: answers differ → prompt scope removes, answer scope keeps', async () => {
    const prompt = randomWords(40).join(' ');
    const records = [rec(0, prompt, randomWords(40).join(' ')), rec(1, prompt, randomWords(40).join(' '))];
    expect((await run(records, { scope: 'prompt' }))[1].action).toBe('remove');
    expect((await run(records, { scope: 'answer' }))[1].action).toBe('keep');
    expect((await run(records))[1].action).toBe('keep');
  });

  it('matches records too short for one shingle only when their texts are equal', async () => {
    const out = await run([rec(0, 'Hi', 'Hello!'), rec(1, 'hi', 'hello'), rec(2, 'Hi', 'Bye')]);
    expect(out.map((d) => d.action)).toEqual(['keep', 'remove', 'keep']);
  });

  it('works on CJK text through character shingles', async () => {
    const a = '机器学习是人工智能的一个分支，它使计算机能够从数据中学习而无需明确编程。深度学习是机器学习的一个子领域。';
    const b = a.replace('分支', '部分');
    const c = '今天天气很好，我们去公园散步吧。公园里有很多花，还有一个小湖，湖里有鱼和鸭子在游泳。';
    const out = await run([rec(0, a, ''), rec(1, c, ''), rec(2, b, '')], { threshold: 0.6 });
    expect(out.map((d) => d.action)).toEqual(['keep', 'keep', 'remove']);
  });
});
