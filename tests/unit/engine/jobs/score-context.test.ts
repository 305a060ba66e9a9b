// Few-shot context in a score record: the first contextTurns messages are prompt, so only the record's own answers count.
import { describe, expect, it } from 'vitest';
import { conditionedExample, countedTokens, unconditionedExample, unlabelFirstAnswers, type ScoreRecord } from '../../../../src-main/engine/jobs/score-encode';
import { IGNORE_INDEX, TextTokenizer } from '../../../../src-main/models/tokenizer';
import { QWEN3_TOKENIZER_DIR } from '../../../fixtures/tokenizers';

const tokenizer = TextTokenizer.fromFolder(QWEN3_TOKENIZER_DIR);
const own: ScoreRecord = { idx: 4, messages: [{ role: 'user', content: 'Capital of Peru?' }, { role: 'assistant', content: 'Lima.' }] };
const shots = [
  { role: 'user' as const, content: 'Capital of France?' }, { role: 'assistant' as const, content: 'Paris, on the Seine.' },
  { role: 'user' as const, content: 'Capital of Kenya?' }, { role: 'assistant' as const, content: 'Nairobi.' },
];

describe('score records with few-shot context', () => {
  it('counts only the record\'s own answer, at the end of the longer prompt', () => {
    const alone = conditionedExample(tokenizer, own);
    const withShots = conditionedExample(tokenizer, { ...own, messages: [...shots, ...own.messages], contextTurns: 4 });
    expect(withShots.inputIds.length).toBeGreaterThan(alone.inputIds.length);
    expect(countedTokens(withShots.labels)).toBe(countedTokens(alone.labels));
    // The labelled tokens are the last ones: the same answer tokens as the record alone.
    const labelled = (e: { labels: number[] }) => e.labels.filter((l) => l !== IGNORE_INDEX);
    expect(labelled(withShots)).toEqual(labelled(alone));
    // Without contextTurns every assistant turn counts (what data scoring does).
    expect(countedTokens(conditionedExample(tokenizer, { ...own, messages: [...shots, ...own.messages] }).labels)).toBeGreaterThan(countedTokens(alone.labels));
    // The unconditioned answer is the record's own.
    expect(unconditionedExample(tokenizer, { ...own, messages: [...shots, ...own.messages], contextTurns: 4 })).toEqual(unconditionedExample(tokenizer, own));
  });

  it('unlabels the first n labelled spans, and says so when there are fewer', () => {
    const I = IGNORE_INDEX;
    expect(unlabelFirstAnswers({ inputIds: [1, 2, 3, 4, 5, 6], labels: [I, 2, I, 4, 5, I] }, 1).labels).toEqual([I, I, I, 4, 5, I]);
    expect(() => unlabelFirstAnswers({ inputIds: [1, 2], labels: [I, 2] }, 2)).toThrow(/expected 2 labelled context answers, found 1/);
  });
});
