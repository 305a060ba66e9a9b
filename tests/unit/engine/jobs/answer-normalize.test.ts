// SQuAD answer normalisation (evaluate-v1.1's normalize_answer) and exact match on it.
import { describe, expect, it } from 'vitest';
import { exactMatch, normalizeAnswer } from '../../../../src-main/engine/jobs/answer-normalize';

describe('normalizeAnswer', () => {
  it('lowercases, drops ASCII punctuation and the articles a / an / the, and collapses whitespace', () => {
    expect(normalizeAnswer('The  Eiffel Tower.')).toBe('eiffel tower');
    expect(normalizeAnswer('  Paris!\n')).toBe('paris');
    expect(normalizeAnswer('An apple, a pear & THE end')).toBe('apple pear end');
    expect(normalizeAnswer('"42" (approx.)')).toBe('42 approx');
  });

  it('removes articles only as whole words, after punctuation is gone (as the SQuAD script orders it)', () => {
    expect(normalizeAnswer('theatre anthem banana')).toBe('theatre anthem banana');
    expect(normalizeAnswer('a-the-b')).toBe('atheb'); // punctuation goes first: one word, no article left
  });

  it('sees Unicode letters as word characters, like Python\'s \\b, and keeps non-ASCII punctuation', () => {
    expect(normalizeAnswer('éthe the')).toBe('éthe');
    expect(normalizeAnswer('«Rome»')).toBe('«rome»');
    expect(normalizeAnswer('')).toBe('');
  });
});

describe('exactMatch', () => {
  it('is 1 when the normalised answers are equal, else 0', () => {
    expect(exactMatch('the Paris', 'Paris.')).toBe(1);
    expect(exactMatch('Pari', 'Paris.')).toBe(0);
    expect(exactMatch('Paris, France', 'Paris')).toBe(0);
    expect(exactMatch('...', '')).toBe(1);
  });
});
