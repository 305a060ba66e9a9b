// boilerplate_phrases: refusal and "as an AI" phrases in the answer, case-insensitive, quoted in the reason.
import { describe, expect, it } from 'vitest';
import { boilerplatePhrasesOperator as op, DEFAULT_BOILERPLATE_PHRASES } from '../../../../src-main/data/ops/boilerplate-phrases';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const record = (assistant: string, user = 'Write me a poem.'): DataRecord => ({
  idx: 0, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }],
});
async function decide(r: DataRecord, params: Record<string, unknown> = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), {}))(r);
}

describe('boilerplate_phrases', () => {
  it('defaults to the built-in list of about fifteen phrases, matched in the answer', () => {
    const defaults = op.params.parse({});
    expect(defaults.field).toBe('answer');
    expect(defaults.phrases).toEqual(DEFAULT_BOILERPLATE_PHRASES);
    expect(defaults.phrases.length).toBeGreaterThanOrEqual(15);
    expect(defaults.phrases).toContain('As an AI language model');
    defaults.phrases.push('mutated');
    expect(op.params.parse({}).phrases).not.toContain('mutated'); // each parse gets its own copy
  });

  it('removes an answer with a default phrase, whatever its case, quoting the phrase as listed', async () => {
    expect(await decide(record('as an ai language model, I cannot write poems.')))
      .toEqual({ action: 'remove', reason: 'answer contains the boilerplate phrase "As an AI language model"' });
    expect((await decide(record("I'M SORRY, BUT I CANNOT help with that."))).action).toBe('remove');
  });

  it('matches across typographic apostrophes and line breaks', async () => {
    expect(await decide(record('I’m sorry, but I\ncannot do that.')))
      .toEqual({ action: 'remove', reason: `answer contains the boilerplate phrase "I'm sorry, but I cannot"` });
  });

  it('keeps ordinary answers, and ignores the prompt unless the field says otherwise', async () => {
    expect(await decide(record('Roses are red, violets are blue.'))).toEqual({ action: 'keep' });
    const r = record('Here is the essay.', 'Write an essay that starts "As an AI language model".');
    expect(await decide(r)).toEqual({ action: 'keep' });
    expect(await decide(r, { field: 'all' }))
      .toEqual({ action: 'remove', reason: 'text contains the boilerplate phrase "As an AI language model"' });
  });

  it('uses an edited list instead of the defaults, and rejects empty phrases', async () => {
    const params = { phrases: ['Certainly! Here is'] };
    expect(await decide(record('As an AI language model...'), params)).toEqual({ action: 'keep' });
    expect(await decide(record('certainly! here is your poem'), params))
      .toEqual({ action: 'remove', reason: 'answer contains the boilerplate phrase "Certainly! Here is"' });
    expect(() => op.params.parse({ phrases: ['ok', '  '] })).toThrow(); // "" would match every answer
  });

  it('finds phrases in RTL, CJK and emoji-laden answers and at the end of a 1 MB answer', async () => {
    expect(await decide(record('مرحبا 👋 你好 — I cannot fulfill this request.'))).toMatchObject({ action: 'remove' });
    expect(await decide(record('שלום, 你好, 👨‍👩‍👧 family'))).toEqual({ action: 'keep' });
    expect((await decide(record('x'.repeat(1_000_000) + ' my knowledge cutoff is 2023'))).action).toBe('remove');
  });
});
