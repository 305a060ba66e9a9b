// language_filter: keeps confident records in the chosen languages, removes the rest with a reason a person can read.
import { describe, expect, it } from 'vitest';
import { languageFilterOperator as op } from '../../../../src-main/data/ops/language-filter';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';
import { PARAGRAPHS } from '../analysis/paragraphs';

function record(user: string, answer: string): DataRecord {
  return { idx: 0, messages: [{ role: 'user', content: user }, { role: 'assistant', content: answer }] };
}

async function decide(params: Record<string, unknown>, rec: DataRecord): Promise<Decision> {
  const decider = await op.create(op.params.parse(params), {});
  return decider(rec);
}

describe('language_filter', () => {
  it('has the documented defaults', () => {
    expect(op.name).toBe('language_filter');
    expect(op.params.parse({})).toEqual({ languages: ['en'], minConfidence: 0.8, field: 'prompt_answer', keepUndetermined: false });
  });

  it('keeps English and removes French with the language and confidence in the reason', async () => {
    expect(await decide({}, record(PARAGRAPHS.en!, PARAGRAPHS.en!))).toEqual({ action: 'keep' });
    const d = await decide({}, record(PARAGRAPHS.fr!, PARAGRAPHS.fr!));
    expect(d).toEqual({ action: 'remove', reason: 'language fr (confidence 1.00) is not in en' });
  });

  it('keeps any of several languages', async () => {
    for (const code of ['fr', 'de', 'ja']) expect(await decide({ languages: ['fr', 'de', 'ja'] }, record(PARAGRAPHS[code]!, PARAGRAPHS[code]!))).toEqual({ action: 'keep' });
    expect((await decide({ languages: ['fr', 'de'] }, record(PARAGRAPHS.zh!, PARAGRAPHS.zh!)) as { reason: string }).reason).toMatch(/^language zh \(confidence 1\.00\) is not in fr, de$/);
  });

  it('removes a record that mixes languages for its low confidence', async () => {
    const d = await decide({}, record(PARAGRAPHS.en!, PARAGRAPHS.fr!));
    expect(d.action).toBe('remove');
    expect((d as { reason: string }).reason).toMatch(/confidence 0\.\d\d/);
    expect(await decide({ minConfidence: 0.3, languages: ['en', 'fr'] }, record(PARAGRAPHS.en!, PARAGRAPHS.fr!))).toEqual({ action: 'keep' });
  });

  it('reads only the chosen field', async () => {
    const rec = record(PARAGRAPHS.en!, PARAGRAPHS.de!);
    expect(await decide({ field: 'prompt' }, rec)).toEqual({ action: 'keep' });
    expect(await decide({ field: 'answer' }, rec)).toMatchObject({ action: 'remove', reason: expect.stringMatching(/^language de /) });
  });

  it('removes texts too short to judge unless keepUndetermined', async () => {
    const short = record('Hi', 'Hello!');
    expect(await decide({}, short)).toMatchObject({ action: 'remove', reason: expect.stringMatching(/^language undetermined: text too short/) });
    expect(await decide({ keepUndetermined: true }, short)).toEqual({ action: 'keep' });
  });

  it('removes gibberish even with keepUndetermined: it is long enough to judge', async () => {
    const d = await decide({ keepUndetermined: true }, record('xqzv kjh wpfl zzq brrt mnbv qwpo lkjh asdf zxcv', 'blorf snarg quibble wozzle frint makka dronk splee vorp'));
    expect(d.action).toBe('remove');
  });

  it('does not count code as a language', async () => {
    const code = '```python\n' + 'print("bonjour le monde, je suis un programme")\n'.repeat(10) + '```';
    expect(await decide({}, record(`Why does this loop print the same line ten times?\n${code}`, 'Because the print call sits inside the loop body, so it runs once per iteration.'))).toEqual({ action: 'keep' });
  });
});
