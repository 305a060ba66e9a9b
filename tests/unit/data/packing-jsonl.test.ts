// Packing keeps every token and mask (only row starts are masked), and the tokenized JSONL round-trips exactly.
import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packExamples, readTokenizedJsonl, tokenizeDataset, writeTokenizedJsonl, type TrainingExample } from '../../../src-main/data/tokenize';
import { IGNORE_INDEX } from '../../../src-main/models/tokenizer';
import { writeJsonl, writeText } from './helpers';

/** Rows of varied lengths with masked prompts: row i has length 3 + (i*5 % 7) and its first two labels masked. */
function rows(count: number): { input_ids: number[]; labels: number[] }[] {
  return Array.from({ length: count }, (_, i) => {
    const ids = Array.from({ length: 3 + ((i * 5) % 7) }, (_, j) => 10 + i * 10 + j);
    return { input_ids: ids, labels: ids.map((id, j) => (j < 2 ? IGNORE_INDEX : id)) };
  });
}

describe('packing', () => {
  it('concatenates rows in order into sequences ≤ maxSeqLen without losing a token or a mask', async () => {
    const file = writeJsonl(rows(12));
    const options = { maxSeqLen: 16, vocabSize: 1000 };
    const plain = await tokenizeDataset(file, null, options);
    const packed = await tokenizeDataset(file, null, { ...options, packing: true });
    expect(packed.examples.length).toBeLessThan(plain.examples.length);
    expect(packed.examples.every((e) => e.inputIds.length <= 16)).toBe(true);
    expect(packed.examples.flatMap((e) => e.inputIds)).toEqual(plain.examples.flatMap((e) => e.inputIds));
    expect(packed.examples.flatMap((e) => e.labels)).toEqual(plain.examples.flatMap((e) => e.labels)); // first labels already masked
    expect(packed.examples.flatMap((e) => e.sourceLines)).toEqual(plain.examples.map((e) => e.sourceLine));
    expect(packed.examples.map((e) => e.sourceLine)).toEqual(packed.examples.map((e) => e.sourceLines![0]));
    expect(packed.summary).toMatchObject({ packed: true, examples: packed.examples.length, tokens: plain.summary.tokens, trainedTokens: plain.summary.trainedTokens });
    // Greedy: no sequence could have taken the next one's first row.
    for (let k = 0; k + 1 < packed.examples.length; k++) {
      const nextFirst = plain.examples.find((e) => e.sourceLine === packed.examples[k + 1].sourceLine)!;
      expect(packed.examples[k].inputIds.length + nextFirst.inputIds.length).toBeGreaterThan(16);
    }
  });

  it('masks the first label of each packed row, so no row is trained to follow another', () => {
    const examples: TrainingExample[] = [
      { inputIds: [1, 2, 3], labels: [1, 2, 3], sourceLine: 1 },
      { inputIds: [4, 5], labels: [4, 5], sourceLine: 2 },
      { inputIds: [6, 7, 8, 9], labels: [6, 7, 8, 9], sourceLine: 3 },
    ];
    expect(packExamples(examples, 6)).toEqual([
      { inputIds: [1, 2, 3, 4, 5], labels: [1, 2, 3, IGNORE_INDEX, 5], sourceLine: 1, sourceLines: [1, 2] },
      { inputIds: [6, 7, 8, 9], labels: [6, 7, 8, 9], sourceLine: 3, sourceLines: [3] },
    ]);
    expect(examples[0].inputIds).toEqual([1, 2, 3]); // inputs are not mutated
    expect(() => packExamples(examples, 3)).toThrow(/line 3 holds 4 tokens, more than maxSeqLen 3/);
  });
});

describe('tokenized JSONL', () => {
  it('writes one {"input_ids","labels"} line per example and reads it back identically', async () => {
    const examples: TrainingExample[] = [
      { inputIds: [1, 2, 3], labels: [IGNORE_INDEX, 2, 3], sourceLine: 4 },
      { inputIds: [7], labels: [7], sourceLine: 9 },
    ];
    const file = writeText('tokenized.jsonl', '');
    expect(await writeTokenizedJsonl(file, examples)).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('{"input_ids":[1,2,3],"labels":[-100,2,3]}\n{"input_ids":[7],"labels":[7]}\n');
    expect(existsSync(`${file}.partial`)).toBe(false);
    const back = await readTokenizedJsonl(file, 10);
    expect(back.map(({ inputIds, labels }) => ({ inputIds, labels }))).toEqual(examples.map(({ inputIds, labels }) => ({ inputIds, labels })));
    expect(back.map((e) => e.sourceLine)).toEqual([1, 2]);
    await expect(readTokenizedJsonl(file, 3)).rejects.toThrow(/line 1: field "input_ids\[2\]" holds token id 3, outside the model's vocabulary of 3 tokens/);
  });

  it('round-trips what tokenizeDataset produced, packed, as a training data file', async () => {
    const packed = await tokenizeDataset(writeJsonl(rows(9)), null, { maxSeqLen: 12, vocabSize: 1000, packing: true });
    const file = writeText('run.jsonl', '');
    await writeTokenizedJsonl(file, packed.examples);
    const again = await tokenizeDataset(file, null, { maxSeqLen: 12, vocabSize: 1000 });
    expect(again.format).toBe('tokens');
    expect(again.examples.map((e) => [e.inputIds, e.labels])).toEqual(packed.examples.map((e) => [e.inputIds, e.labels]));
    expect(again.summary.trainedTokens).toBe(packed.summary.trainedTokens);
  });
});
