// Each data format: detection, conversion to the canonical conversation, and field errors that say what was expected.
import { describe, expect, it } from 'vitest';
import { alpacaFormat, toConversation as alpaca } from '../../../src-main/data/formats/alpaca';
import { toConversation as sharegpt } from '../../../src-main/data/formats/sharegpt';
import { toConversation as openai } from '../../../src-main/data/formats/openai';
import { toTokens } from '../../../src-main/data/formats/tokens';
import { detectRowFormat, FieldError, type JsonObject } from '../../../src-main/data/formats';

/** The FieldError a parser throws for ROW: its field path and its message. */
function fieldError(parse: (row: JsonObject) => unknown, row: JsonObject): { field: string; message: string } {
  try {
    parse(row);
  } catch (err) {
    expect(err).toBeInstanceOf(FieldError);
    return { field: (err as FieldError).field, message: (err as FieldError).message };
  }
  throw new Error('expected a FieldError');
}

describe('detectRowFormat', () => {
  it('recognizes each format by its key field, the most specific first', () => {
    expect(detectRowFormat({ instruction: 'a', output: 'b' })).toBe('alpaca');
    expect(detectRowFormat({ conversations: [] })).toBe('sharegpt');
    expect(detectRowFormat({ messages: [] })).toBe('openai');
    expect(detectRowFormat({ text: 'x' })).toBe('text');
    expect(detectRowFormat({ input_ids: [1] })).toBe('tokens');
    expect(detectRowFormat({ input_ids: [1], text: 'x' })).toBe('tokens');
    expect(detectRowFormat({ prompt: 'a', completion: 'b' })).toBeNull();
  });
});

describe('alpaca', () => {
  it('joins instruction and input with one newline, puts history first and keeps the system prompt', () => {
    const conv = alpaca({
      instruction: 'Translate.', input: 'Bonjour', output: 'Hello', system: 'Be exact.',
      history: [['Hi', 'Hello!'], ['Who are you?', 'A translator.']],
    });
    expect(conv).toEqual({
      system: 'Be exact.',
      messages: [
        { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Who are you?' }, { role: 'assistant', content: 'A translator.' },
        { role: 'user', content: 'Translate.\nBonjour' }, { role: 'assistant', content: 'Hello' },
      ],
    });
  });

  it('leaves out an empty input and an empty system', () => {
    expect(alpaca({ instruction: 'Say hi.', input: '', output: 'hi', system: '' })).toEqual({
      messages: [{ role: 'user', content: 'Say hi.' }, { role: 'assistant', content: 'hi' }],
    });
    expect(alpacaFormat.parse({ instruction: 'q', output: 'a' }).kind).toBe('chat');
  });

  it('names the bad field and what it expected', () => {
    expect(fieldError(alpaca, { instruction: 'q', output: 3 })).toEqual({ field: 'output', message: 'field "output" must be a string, got number' });
    expect(fieldError(alpaca, { instruction: 'q' }).message).toBe('field "output" is missing (expected a string)');
    expect(fieldError(alpaca, { instruction: 'q', output: 'a', history: [['u']] })).toEqual({
      field: 'history[0]', message: 'field "history[0]" must be a [user, assistant] pair, got an array of 1',
    });
    expect(fieldError(alpaca, { instruction: 'q', output: 'a', history: [['u', null]] }).field).toBe('history[0][1]');
  });
});

describe('sharegpt', () => {
  it('maps human/gpt/function_call/observation and lifts a leading system turn', () => {
    const conv = sharegpt({
      conversations: [
        { from: 'system', value: 'You call tools.' },
        { from: 'human', value: 'Weather in Paris?' },
        { from: 'function_call', value: '{"name":"weather","arguments":{"city":"Paris"}}' },
        { from: 'observation', value: '{"temp":21}' },
        { from: 'gpt', value: 'It is 21 °C.' },
      ],
      tools: '[{"name":"weather","parameters":{}}]',
    });
    expect(conv.system).toBe('You call tools.');
    expect(conv.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(conv.messages[1].content).toContain('"name":"weather"');
    expect(conv.tools).toEqual([{ name: 'weather', parameters: {} }]);
  });

  it('accepts user/assistant tags, {role, content} turns, a system field, and empty tools', () => {
    expect(sharegpt({ system: 'S', tools: '', conversations: [{ from: 'user', value: 'u' }, { role: 'assistant', content: 'a' }] })).toEqual({
      system: 'S', messages: [{ role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }],
    });
  });

  it('names unknown roles, bad values, misplaced system turns and broken tools', () => {
    expect(fieldError(sharegpt, { conversations: [{ from: 'bot', value: 'x' }] })).toEqual({
      field: 'conversations[0].from',
      message: 'field "conversations[0].from" must be one of human, user, gpt, assistant, function_call, observation, system; got "bot"',
    });
    expect(fieldError(sharegpt, { conversations: [{ from: 'human', value: 1 }] }).message).toBe('field "conversations[0].value" must be a string, got number');
    expect(fieldError(sharegpt, { conversations: [{ from: 'human', value: 'u' }, { from: 'system', value: 's' }] }).field).toBe('conversations[1]');
    expect(fieldError(sharegpt, { system: 's', conversations: [{ from: 'system', value: 's' }, { from: 'human', value: 'u' }] }).message)
      .toMatch(/also has a "system" field/);
    expect(fieldError(sharegpt, { conversations: [{ from: 'human', value: 'u' }], tools: '[oops' }).field).toBe('tools');
    expect(fieldError(sharegpt, { conversations: 'nope' }).message).toBe('field "conversations" must be an array, got string');
    expect(fieldError(sharegpt, { conversations: [] }).message).toBe('field "conversations" has no user or assistant turns');
  });
});

describe('openai', () => {
  it('joins text parts, maps developer to system and keeps tool turns', () => {
    const conv = openai({
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }] },
        { role: 'assistant', content: 'Hi.' },
        { role: 'tool', content: 'ok' },
      ],
    });
    expect(conv).toEqual({
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello there' }, { role: 'assistant', content: 'Hi.' }, { role: 'tool', content: 'ok' }],
    });
  });

  it('rejects images, tool calls, weight 0 and unknown roles with the field named', () => {
    const image = fieldError(openai, { messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'x' } }] }] });
    expect(image.field).toBe('messages[0].content[1]');
    expect(image.message).toMatch(/is a part of type "image_url": only text parts are supported/);
    expect(fieldError(openai, { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: '1' }] }] }).field).toBe('messages[0].tool_calls');
    expect(fieldError(openai, { messages: [{ role: 'assistant', content: 'a', weight: 0 }] }).field).toBe('messages[0].weight');
    expect(fieldError(openai, { messages: [{ role: 'robot', content: 'a' }] }).message).toMatch(/field "messages\[0\]\.role" must be one of system, developer/);
    expect(fieldError(openai, { messages: [{ role: 'user' }] }).message).toBe('field "messages[0].content" is missing (expected a string or an array of text parts)');
  });
});

describe('tokens', () => {
  it('defaults labels to the inputs and accepts -100 in labels', () => {
    expect(toTokens({ input_ids: [5, 6, 7] })).toEqual({ inputIds: [5, 6, 7], labels: [5, 6, 7] });
    expect(toTokens({ input_ids: [5, 6, 7], labels: [-100, 6, 7] }).labels).toEqual([-100, 6, 7]);
  });

  it('validates integers, signs, emptiness and equal lengths', () => {
    expect(fieldError(toTokens, { input_ids: [1, 2.5] }).message).toBe('field "input_ids[1]" must be an integer token id, got 2.5');
    expect(fieldError(toTokens, { input_ids: [1, '2'] }).message).toBe('field "input_ids[1]" must be an integer token id, got string');
    expect(fieldError(toTokens, { input_ids: [-100] }).message).toBe('field "input_ids[0]" must be a token id ≥ 0, got -100');
    expect(fieldError(toTokens, { input_ids: [1], labels: [-1] }).message).toBe('field "labels[0]" must be a token id ≥ 0 or -100 (ignored), got -1');
    expect(fieldError(toTokens, { input_ids: [] }).message).toBe('field "input_ids" is empty');
    expect(fieldError(toTokens, { input_ids: [1, 2], labels: [1] }).message).toBe('field "labels" must have as many entries as input_ids (2), got 1');
  });
});
