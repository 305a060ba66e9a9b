// Data files → training examples with the real Qwen3 tokenizer: prompt masks, length and vocabulary rules, skips.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src-main/common/errors';
import { DataError } from '../../../src-main/data/formats';
import { tokenizeDataset, type TokenizeOptions } from '../../../src-main/data/tokenize';
import { IGNORE_INDEX, TextTokenizer } from '../../../src-main/models/tokenizer';
import { QWEN3_TOKENIZER_DIR } from '../../fixtures/tokenizers';
import { writeJsonl } from './helpers';

const tok = TextTokenizer.fromFolder(QWEN3_TOKENIZER_DIR);
const QWEN3_VOCAB = 151_936; // the model's embedding rows, more than the tokenizer's 151,669 entries
const base: TokenizeOptions = { maxSeqLen: 512, vocabSize: QWEN3_VOCAB };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

const trainedText = (inputIds: number[], labels: number[]) => tok.decode(inputIds.filter((_, i) => labels[i] !== IGNORE_INDEX));

describe('tokenizeDataset on chat rows (Qwen3 chat template)', () => {
  it('tokenizes alpaca rows and labels only the answer and its end-of-turn', async () => {
    const file = writeJsonl([
      { instruction: 'Translate to English.', input: 'Bonjour', output: 'Hello', system: 'Be exact.' },
      { instruction: 'Capital of France?', output: 'Paris.', history: [['Hi', 'Hello!']] },
    ]);
    const { format, examples, summary, warnings } = await tokenizeDataset(file, tok, base);
    expect(format).toBe('alpaca');
    expect(warnings).toEqual([]);
    expect(examples.map((e) => e.sourceLine)).toEqual([1, 2]);
    const [first, second] = examples;
    expect(tok.decode(first.inputIds)).toContain('<|im_start|>system\nBe exact.<|im_end|>\n<|im_start|>user\nTranslate to English.\nBonjour<|im_end|>');
    const answer = trainedText(first.inputIds, first.labels);
    expect(answer).toContain('Hello<|im_end|>');
    expect(answer).not.toMatch(/Translate|Bonjour|Be exact/);
    const both = trainedText(second.inputIds, second.labels);
    expect(both).toContain('Hello!');
    expect(both).toContain('Paris.');
    expect(both).not.toMatch(/Hi<|Capital/);
    first.labels.forEach((l, i) => { if (l !== IGNORE_INDEX) expect(l).toBe(first.inputIds[i]); });
    const trained = examples.reduce((n, e) => n + e.labels.filter((l) => l !== IGNORE_INDEX).length, 0);
    expect(summary).toEqual({
      rows: 2, examples: 2, tokens: first.inputIds.length + second.inputIds.length, trainedTokens: trained,
      truncated: 0, skippedNoLabels: 0, longestRow: Math.max(first.inputIds.length, second.inputIds.length), packed: false,
    });
  });

  it('gives sharegpt and openai rows the same tokens as their canonical conversation', async () => {
    const expected = tok.encodeChat([
      { role: 'system', content: 'S' }, { role: 'user', content: 'Question' }, { role: 'assistant', content: 'Answer' },
    ]);
    const share = writeJsonl([{ conversations: [{ from: 'system', value: 'S' }, { from: 'human', value: 'Question' }, { from: 'gpt', value: 'Answer' }] }]);
    const open = writeJsonl([{ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: [{ type: 'text', text: 'Ques' }, { type: 'text', text: 'tion' }] }, { role: 'assistant', content: 'Answer' }] }]);
    for (const file of [share, open]) {
      const [ex] = (await tokenizeDataset(file, tok, base)).examples;
      expect({ inputIds: ex.inputIds, labels: ex.labels }).toEqual(expected);
    }
  });

  it('trains on the prompt too when asked', async () => {
    const file = writeJsonl([{ instruction: 'q', output: 'a' }]);
    const [ex] = (await tokenizeDataset(file, tok, { ...base, trainOnPrompt: true })).examples;
    expect(ex.labels).toEqual(ex.inputIds);
  });

  it('skips and reports a row that trains nothing, and fails when no row is left', async () => {
    const file = writeJsonl([
      { messages: [{ role: 'user', content: 'only a question' }] },
      { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] },
    ]);
    const result = await tokenizeDataset(file, tok, base);
    expect(result.examples.map((e) => e.sourceLine)).toEqual([2]);
    expect(result.summary.skippedNoLabels).toBe(1);
    expect(result.warnings).toEqual(['1 row skipped because no token would be trained (all labels -100): line 1.']);
    const none = writeJsonl([{ messages: [{ role: 'user', content: 'q' }] }]);
    expect((await rejection(tokenizeDataset(none, tok, base))).message).toBe(`${none}: no usable rows: all 1 row would train no token (every label is masked).`);
  });

  it('tokenizes plain text with every token trained and an EOS', async () => {
    const [ex] = (await tokenizeDataset(writeJsonl([{ text: 'plain words' }]), tok, base)).examples;
    expect(ex.inputIds).toEqual([...tok.encode('plain words'), tok.eosTokenId]);
    expect(ex.labels).toEqual(ex.inputIds);
  });

  it('says what is missing: a tokenizer, or support for tools', async () => {
    const file = writeJsonl([{ instruction: 'q', output: 'a' }]);
    const err = await rejection(tokenizeDataset(file, null, base));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/holds alpaca rows, which need the model's tokenizer \(tokenizer\.json\), and none was given/);
    const tools = writeJsonl([{ instruction: 'q', output: 'a' }, { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], tools: [{ name: 'f' }] }]);
    const bad = await rejection(tokenizeDataset(tools, tok, { ...base, format: 'sharegpt' }));
    expect(bad.message).toMatch(/line 1: field "conversations" is missing/);
    const toolRow = writeJsonl([{ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], tools: [{ name: 'f' }] }]);
    expect((await rejection(tokenizeDataset(toolRow, tok, base))).message)
      .toBe(`${toolRow} line 1: cannot encode the row: the row has "tools", which cannot be rendered into the chat template yet; remove the field or pre-tokenize the row`);
  });
});

describe('tokenizeDataset length and vocabulary rules', () => {
  const long = { text: 'one two three four five six seven eight nine ten' }; // 11 tokens with the EOS

  it('stops at a row longer than maxSeqLen by default, naming the line and both lengths', async () => {
    const file = writeJsonl([{ text: 'short' }, long]);
    const n = tok.encodeText(long.text).inputIds.length;
    const err = await rejection(tokenizeDataset(file, tok, { ...base, maxSeqLen: 8, maxPositions: 40_960 }));
    expect(err.message).toBe(`${file} line 2: the row is ${n} tokens long, more than maxSeqLen 8; raise maxSeqLen (the model allows up to 40960), shorten the row, or choose truncation`);
  });

  it('truncates when asked, keeping the first maxSeqLen tokens and reporting it', async () => {
    const file = writeJsonl([{ text: 'short' }, long]);
    const full = tok.encodeText(long.text);
    const { examples, summary, warnings } = await tokenizeDataset(file, tok, { ...base, maxSeqLen: 8, overLength: 'truncate' });
    expect(examples[1].inputIds).toEqual(full.inputIds.slice(0, 8));
    expect(examples[1].labels).toEqual(full.labels.slice(0, 8));
    expect(summary.truncated).toBe(1);
    expect(summary.longestRow).toBe(full.inputIds.length);
    expect(warnings[0]).toMatch(/^1 row cut to 8 tokens; .* line 2\.$/);
  });

  it('refuses a maxSeqLen beyond the model positions and bad sizes', async () => {
    const file = writeJsonl([{ text: 'a' }]);
    const err = await rejection(tokenizeDataset(file, tok, { ...base, maxSeqLen: 4096, maxPositions: 2048 }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe("maxSeqLen 4096 exceeds the model's 2048 positions (max_position_embeddings); use at most 2048.");
    expect((await rejection(tokenizeDataset(file, tok, { ...base, maxSeqLen: 0 }))).message).toMatch(/maxSeqLen must be a positive integer/);
  });

  it('checks pre-tokenized ids against the vocabulary, naming line, field, id and size', async () => {
    const file = writeJsonl([{ input_ids: [1, 2, 3] }, { input_ids: [1, 2, 3], labels: [-100, 2, 3] }, { input_ids: [5, 999, 7] }]);
    const err = await rejection(tokenizeDataset(file, null, { ...base, vocabSize: 999 }));
    expect(err.message).toBe(`${file} line 3: field "input_ids[1]" holds token id 999, outside the model's vocabulary of 999 tokens (ids 0…998)`);
    expect((err as DataError).details).toEqual({ file, line: 3, field: 'input_ids[1]' });
    const labels = writeJsonl([{ input_ids: [1, 2], labels: [1, 5000] }]);
    expect((await rejection(tokenizeDataset(labels, null, { ...base, vocabSize: 1000 }))).message).toMatch(/line 1: field "labels\[1\]" holds token id 5000/);
  });

  it('says when the tokenizer produces ids the model does not have', async () => {
    const file = writeJsonl([{ text: 'hello world' }]);
    const err = await rejection(tokenizeDataset(file, tok, { ...base, vocabSize: 1000 }));
    expect(err.message).toMatch(/line 1: the tokenizer produced token id \d+, outside the model's vocabulary of 1000 tokens \(ids 0…999\): the tokenizer does not belong to this model$/);
  });

  it('reads pre-tokenized rows without a tokenizer and warns about labels that differ from the inputs', async () => {
    const file = writeJsonl([{ input_ids: [1, 2, 3], labels: [-100, 2, 3] }, { input_ids: [4, 5], labels: [5, -100] }, { input_ids: [6], labels: [6] }]);
    const { format, examples, summary, warnings } = await tokenizeDataset(file, null, base);
    expect(format).toBe('tokens');
    expect(examples).toEqual([{ inputIds: [1, 2, 3], labels: [-100, 2, 3], sourceLine: 1 }]);
    expect(summary).toMatchObject({ rows: 3, examples: 1, tokens: 3, trainedTokens: 2, skippedNoLabels: 2 });
    expect(warnings).toEqual([
      '2 rows skipped because no token would be trained (all labels -100): lines 2, 3.',
      '1 pre-tokenized row has labels that differ from input_ids where not -100 (line 2); labels are shifted inside the loss, so they must not be shifted in the file.',
    ]);
  });
});
