// remove_empty_turns: whitespace-only turns go; a record left without a user or assistant turn goes too.
import { describe, expect, it } from 'vitest';
import { removeEmptyTurnsOperator as op } from '../../../../src-main/data/ops/remove-empty-turns';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';
import type { Message } from '../../../../src-main/data/formats/conversation';

const u = (content: string): Message => ({ role: 'user', content });
const a = (content: string): Message => ({ role: 'assistant', content });
async function decide(r: Omit<DataRecord, 'idx'>, params: Record<string, unknown> = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), {}))({ idx: 7, ...r });
}

describe('remove_empty_turns', () => {
  it('drops an empty system prompt by default', () => {
    expect(op.params.parse({})).toEqual({ dropEmptySystem: true });
  });

  it('keeps records without empty turns, including ones made only of emoji, RTL or CJK text', async () => {
    expect(await decide({ messages: [u('שלום'), a('👍'), u('你好'), a('مرحبا')] })).toEqual({ action: 'keep' });
  });

  it('drops whitespace-only turns (Unicode spaces and zero-width characters too) and keeps the rest in order', async () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    const d = await decide({
      system: 'Be brief.', tools,
      messages: [u('Hi'), a(' \n\t'), u('\u3000\u200B'), a('Hello'), u('Bye'), a('\uFEFF'), a('See you')],
    });
    expect(d).toEqual({
      action: 'change', reason: 'dropped 3 empty turns',
      record: { system: 'Be brief.', tools, messages: [u('Hi'), a('Hello'), u('Bye'), a('See you')] },
    });
  });

  it('drops a whitespace-only system prompt unless told not to', async () => {
    const r = { system: '   ', messages: [u('Hi'), a('Hello')] };
    expect(await decide(r)).toEqual({ action: 'change', reason: 'dropped the empty system prompt', record: { messages: [u('Hi'), a('Hello')] } });
    expect(await decide(r, { dropEmptySystem: false })).toEqual({ action: 'keep' });
  });

  it('removes the record when every assistant (or user) turn was empty, saying which role is missing', async () => {
    expect(await decide({ messages: [u('Question?'), a('  ')] }))
      .toEqual({ action: 'remove', reason: 'no assistant turn left after dropping 1 empty turn' });
    expect(await decide({ messages: [u('\n'), a('')] }))
      .toEqual({ action: 'remove', reason: 'no user or assistant turn left after dropping 2 empty turns' });
  });

  it('judges only roles it emptied: a record that never had a user turn is not removed for that', async () => {
    const d = await decide({ messages: [a('Text'), a(' ')] });
    expect(d).toEqual({ action: 'change', reason: 'dropped 1 empty turn', record: { messages: [a('Text')] } });
  });

  it('keeps a 1 MB turn that is mostly whitespace but not only', async () => {
    expect(await decide({ messages: [u(' '.repeat(1_000_000) + 'x'), a('ok')] })).toEqual({ action: 'keep' });
  });
});
