// Verb-object extraction (lemmatised verb, singular head noun) and the top-verbs tally.
import { describe, expect, it } from 'vitest';
import { tallyVerbs, verbObject } from '../../../../src-main/data/analysis/verb-noun';

describe('verbObject', () => {
  it.each([
    ['Write a poem about the sea.', 'write', 'poem'],
    ['Translate the following sentence into French: I love cats.', 'translate', 'sentence'],
    ['Can you give me a list of ten fruits?', 'give', 'list'],
    ['Please summarize this article in three bullet points.', 'summarize', 'article'],
    ['Create stories for kids.', 'create', 'story'],
    ['Hello! Write me two short poems.', 'write', 'poem'],
    ['Explain the tides of the ocean. Do not use jargon.', 'explain', 'tide'],
    ['Given a list of numbers, find the largest one.', 'find', null],
  ])('%s → %s + %s', (text, verb, noun) => {
    expect(verbObject(text)).toEqual({ verb, noun });
  });

  it('finds no instruction verb in a question about a fact', () => {
    expect(verbObject('What is the capital of France?')).toBeNull();
  });
});

describe('tallyVerbs', () => {
  it('keeps the top verbs, most frequent first, each with its top objects', () => {
    const pairs = [
      ...Array.from({ length: 5 }, () => ({ verb: 'write', noun: 'poem' })),
      ...Array.from({ length: 2 }, () => ({ verb: 'write', noun: 'story' })),
      { verb: 'write', noun: null },
      ...Array.from({ length: 3 }, () => ({ verb: 'translate', noun: 'sentence' })),
      { verb: 'list', noun: 'fruit' },
    ];
    expect(tallyVerbs(pairs, 2, 1)).toEqual([
      { verb: 'write', count: 8, objects: [{ noun: 'poem', count: 5 }] },
      { verb: 'translate', count: 3, objects: [{ noun: 'sentence', count: 3 }] },
    ]);
  });
});
