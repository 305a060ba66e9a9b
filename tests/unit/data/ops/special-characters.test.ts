// special_characters: the share of characters that are not letters, digits (any script) or whitespace.
import { describe, expect, it } from 'vitest';
import { specialCharactersOperator as op, specialRatio } from '../../../../src-main/data/ops/special-characters';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const record = (assistant: string, user = 'Question'): DataRecord => ({
  idx: 0, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }],
});
async function decide(r: DataRecord, params: Record<string, unknown> = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), {}))(r);
}

describe('specialRatio', () => {
  it('counts letters and digits of every script, with their combining marks, as text', () => {
    expect(specialRatio('Hello world 123')).toBe(0);
    expect(specialRatio('你好世界 こんにちは 안녕하세요 ١٢٣')).toBe(0);
    expect(specialRatio('مَرْحَبًا שָׁלוֹם नमस्ते')).toBe(0); // harakat, niqqud and vowel signs are marks, not symbols
  });

  it('counts punctuation, symbols and emoji (every code point of a ZWJ sequence) as special', () => {
    expect(specialRatio('a!')).toBe(0.5);
    expect(specialRatio('ab👍')).toBeCloseTo(1 / 3);
    expect(specialRatio('👨‍👩‍👧')).toBe(1); // 3 people + 2 joiners
    expect(specialRatio('❤️')).toBe(1); // the heart and its emoji variation selector
    expect(specialRatio('')).toBe(0);
  });
});

describe('special_characters', () => {
  it('defaults to a 25% maximum over all the text, not counting code blocks', () => {
    expect(op.params.parse({})).toEqual({ field: 'all', maxRatio: 0.25, skipCode: true });
  });

  it('keeps normal multilingual prose and removes symbol soup with the ratio in the reason', async () => {
    expect(await decide(record('The result is 42, as expected. 结果是四十二。'))).toEqual({ action: 'keep' });
    // 36 symbols among 45 characters (the 9 spaces count as text)
    const d = await decide(record('!!!!! $$$ ### @@@ ***** ~~~~ ^^^ %%% &&& ||||'), { field: 'answer' });
    expect(d).toEqual({ action: 'remove', reason: 'special characters are 80% of the answer (max 25%)' });
  });

  it('leaves fenced code out of the count by default, and counts it when asked', async () => {
    const code = '```js\nconst f = (a, b) => { return a[0] !== b?.[1] ? {...a} : [b]; };\n```';
    const r = record(`Here is the function:\n${code}`);
    expect(await decide(r)).toEqual({ action: 'keep' });
    const d = await decide(r, { skipCode: false });
    expect(d.action === 'remove' && d.reason).toMatch(/^special characters are \d+(\.\d)?% of the text \(max 25%\)$/);
    const prose = await decide(record(`%%% ### !!!\n${code}`));
    expect(prose.action === 'remove' && prose.reason).toContain('of the text outside code blocks');
  });

  it('removes emoji-only answers', async () => {
    expect((await decide(record('🎉🔥💯👨‍👩‍👧‍👦'), { field: 'answer' })).action).toBe('remove');
  });

  it('handles a 1 MB text', async () => {
    const text = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(18_000);
    expect(await decide(record(text))).toEqual({ action: 'keep' });
    expect((await decide(record('-='.repeat(500_000)))).action).toBe('remove');
  });
});
