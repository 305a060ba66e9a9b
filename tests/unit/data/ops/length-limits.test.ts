// length_limits: characters, words (CJK per character, emoji as one) and tokens, on prompt, answer or all.
import { describe, expect, it } from 'vitest';
import { lengthLimitsOperator as op } from '../../../../src-main/data/ops/length-limits';
import type { DataRecord, Decision, OperatorContext } from '../../../../src-main/data/ops/operator';
import { codePointCount, countWords } from '../../../../src-main/data/ops/text-units';

const record = (user: string, assistant: string, system?: string): DataRecord => ({
  idx: 0, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }], ...(system ? { system } : {}),
});
async function decide(r: DataRecord, params: Record<string, unknown>, ctx: OperatorContext = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), ctx))(r);
}
/** A tokenizer stand-in: one token per 4 characters, rounded up. */
const tokenizer = { count: (t: string) => Math.ceil(t.length / 4) };

describe('word and character counting', () => {
  it('counts space-separated words, keeping contractions, hyphenations and decimals whole', () => {
    expect(countWords("Don't re-use state-of-the-art code: 3.14 is π, right?")).toBe(8);
    expect(countWords('  ... --- !!! ')).toBe(0);
  });

  it('counts each Han, Hiragana and Katakana character as a word, Hangul by spaces', () => {
    expect(countWords('我爱自然语言处理')).toBe(8);
    expect(countWords('これはテストです')).toBe(8);
    expect(countWords('GPT-4是一个模型')).toBe(6); // "GPT-4" + 5 characters
    expect(countWords('안녕하세요 세계')).toBe(2);
  });

  it('counts Arabic and Hebrew (with vowel marks) and Devanagari by spaces', () => {
    expect(countWords('مَرْحَبًا بِالْعَالَمِ')).toBe(2);
    expect(countWords('שָׁלוֹם עוֹלָם')).toBe(2);
    expect(countWords('नमस्ते दुनिया')).toBe(2);
  });

  it('counts an emoji, a ZWJ family, a skin-toned hand and a flag as one word each', () => {
    expect(countWords('👨‍👩‍👧‍👦 👍🏽 🇯🇵 ❤️')).toBe(4);
    expect(countWords('ok👍')).toBe(2);
  });

  it('counts characters as code points (astral characters are one, as in Python)', () => {
    expect(codePointCount('a😀b')).toBe(3);
    expect(codePointCount('👨‍👩‍👧')).toBe(5); // three people and two joiners
    expect(codePointCount('')).toBe(0);
  });
});

describe('length_limits', () => {
  it('defaults to a 10-character minimum over all the text and no other limit', () => {
    expect(op.params.parse({})).toEqual({
      field: 'all', minChars: 10, maxChars: null, minWords: null, maxWords: null, minTokens: null, maxTokens: null,
    });
    expect(() => op.params.parse({ minWords: 10, maxWords: 5 })).toThrow(/minimum/);
  });

  it('removes a record under the character minimum, counting the whole text by default', async () => {
    expect(await decide(record('Hi', 'Yo'), {})).toEqual({ action: 'remove', reason: 'text has 5 characters (min 10)' });
    expect(await decide(record('Hello there', 'Yo'), {})).toEqual({ action: 'keep' });
  });

  it('applies limits to the chosen field only', async () => {
    const r = record('Please write a long story about the sea.', 'No.');
    expect(await decide(r, { field: 'answer', minChars: 0, minWords: 2 })).toEqual({ action: 'remove', reason: 'answer has 1 word (min 2)' });
    expect(await decide(r, { field: 'prompt', minWords: 2, minChars: 0 })).toEqual({ action: 'keep' });
    expect(await decide(record('a b c', 'd', 'sys tem'), { field: 'prompt', maxWords: 4, minChars: 0 }))
      .toEqual({ action: 'remove', reason: 'prompt has 5 words (max 4)' }); // the system prompt is part of the prompt
  });

  it('counts a Chinese answer in characters-as-words, so short Chinese answers are not taken for one word', async () => {
    const r = record('问题', '这是一个很好的问题');
    expect(await decide(r, { field: 'answer', minChars: 0, minWords: 5 })).toEqual({ action: 'keep' });
    expect(await decide(r, { field: 'answer', minChars: 0, maxWords: 5 })).toEqual({ action: 'remove', reason: 'answer has 9 words (max 5)' });
  });

  it('removes a 1 MB answer over the character maximum, with the count readable', async () => {
    const d = await decide(record('Summarize', 'x'.repeat(1_048_576)), { maxChars: 100_000 });
    expect(d).toEqual({ action: 'remove', reason: 'text has 1,048,586 characters (max 100,000)' });
  });

  it('counts tokens with the chosen model tokenizer', async () => {
    const r = record('Translate this sentence.', 'Traduisez cette phrase, s’il vous plaît.');
    expect(await decide(r, { field: 'answer', maxTokens: 5 }, { tokenizer })).toEqual({ action: 'remove', reason: 'answer has 10 tokens (max 5)' });
    expect(await decide(r, { minTokens: 5, maxTokens: 50 }, { tokenizer })).toEqual({ action: 'keep' });
  });

  it('refuses a token limit without a tokenizer, and needs none otherwise', async () => {
    await expect(decide(record('a', 'b'), { maxTokens: 100 })).rejects.toThrow("length_limits: a token limit needs a model's tokenizer; choose a model");
    expect(op.needs ?? []).toEqual([]);
    expect(await decide(record('hello world', 'hi'), { minWords: 1 })).toEqual({ action: 'keep' });
  });
});
