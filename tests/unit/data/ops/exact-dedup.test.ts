// exact_dedup: cosmetic variants of an earlier prompt are removed and point at it; distinct texts are kept.
import { describe, expect, it } from 'vitest';
import { exactDedupOperator } from '../../../../src-main/data/ops/exact-dedup';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const rec = (idx: number, prompt: string, answer = 'ok', system?: string): DataRecord => ({
  idx,
  messages: [{ role: 'user', content: prompt }, { role: 'assistant', content: answer }],
  ...(system ? { system } : {}),
});

async function run(records: DataRecord[], params: object = {}): Promise<Decision[]> {
  const decide = await exactDedupOperator.create(exactDedupOperator.params.parse(params), {});
  return records.map(decide);
}

describe('exact_dedup', () => {
  it('has the documented defaults', () => {
    expect(exactDedupOperator.name).toBe('exact_dedup');
    expect(exactDedupOperator.params.parse({})).toEqual({ scope: 'prompt' });
  });

  it('removes whitespace, case and edge-punctuation variants of the first prompt, pointing at it', async () => {
    const out = await run([
      rec(10, 'What is the capital of France?'),
      rec(11, 'what  is the\ncapital of FRANCE'),
      rec(12, 'What is the capital of Spain?'),
      rec(13, '  WHAT IS THE CAPITAL OF FRANCE?!  ', 'Paris, obviously'),
    ]);
    expect(out.map((d) => d.action)).toEqual(['keep', 'remove', 'keep', 'remove']);
    expect(out[1]).toEqual({
      action: 'remove', duplicateOf: 10, reason: 'exact duplicate of record #10 (same prompt after normalisation)',
    });
    expect(out[3]).toMatchObject({ duplicateOf: 10 });
  });

  it('with scope prompt_answer keeps a repeated prompt whose answer differs', async () => {
    const records = [rec(0, 'Say hi', 'Hi!'), rec(1, 'say hi', 'Hello!'), rec(2, 'Say hi.', 'hi')];
    const out = await run(records, { scope: 'prompt_answer' });
    expect(out.map((d) => d.action)).toEqual(['keep', 'keep', 'remove']);
    expect(out[2]).toMatchObject({ duplicateOf: 0, reason: expect.stringContaining('same prompt and answer') });
  });

  it('counts the system prompt as part of the prompt', async () => {
    const out = await run([rec(0, 'Summarise.', 'a', 'You are terse.'), rec(1, 'Summarise.', 'a', 'You are verbose.')]);
    expect(out.map((d) => d.action)).toEqual(['keep', 'keep']);
  });

  it('handles CJK (full-width forms folded by NFKC) and keeps different emoji apart', async () => {
    const out = await run([
      rec(0, '用Ｐｙｔｈｏｎ写一个函数'),
      rec(1, '用python写一个函数'),
      rec(2, '用Java写一个函数'),
      rec(3, '👍'),
      rec(4, '👎'),
      rec(5, ' 👍 '),
    ]);
    expect(out.map((d) => d.action)).toEqual(['keep', 'remove', 'keep', 'keep', 'keep', 'remove']);
    expect(out[5]).toMatchObject({ duplicateOf: 3 });
  });

  it('starts fresh for each pass', async () => {
    expect((await run([rec(0, 'x')]))[0].action).toBe('keep');
    expect((await run([rec(0, 'x')]))[0].action).toBe('keep');
  });
});
