// Tokens and shingles: words for spaced scripts, characters for CJK, and one shingle for texts shorter than n.
import { describe, expect, it } from 'vitest';
import { hash53, hashString } from '../../../../src-main/data/dedup/hash';
import { shingleHashes, tokens } from '../../../../src-main/data/dedup/shingles';

describe('tokens', () => {
  it('lowercases words and drops punctuation', () => {
    expect(tokens("Don't PANIC, it's 42!")).toEqual(['don', 't', 'panic', 'it', 's', '42']);
    expect(tokens('Ｃａｆé  naïve')).toEqual(['café', 'naïve']);
  });

  it('splits CJK and Thai into characters and emoji into single tokens, words elsewhere', () => {
    expect(tokens('Python中的列表')).toEqual(['python', '中', '的', '列', '表']);
    expect(tokens('これはペン')).toEqual(['こ', 'れ', 'は', 'ペ', 'ン']);
    expect(tokens('great👍👍 job')).toEqual(['great', '👍', '👍', 'job']);
    expect(tokens('Привет мир')).toEqual(['привет', 'мир']);
  });
});

describe('shingleHashes', () => {
  it('gives one hash per word n-gram, equal for equal n-grams', () => {
    const sh = shingleHashes('a b c d e a b c d e', 5);
    expect(sh.length).toBe(6);
    expect(sh[0]).toBe(sh[5]);
    expect(new Set(sh).size).toBe(5);
  });

  it('is insensitive to case and punctuation but not to word order', () => {
    expect(shingleHashes('The quick brown fox jumps over', 5)).toEqual(shingleHashes('the QUICK, brown fox -- jumps over!', 5));
    expect(shingleHashes('quick the brown fox jumps over', 5)).not.toEqual(shingleHashes('the quick brown fox jumps over', 5));
  });

  it('makes character 5-grams of CJK text', () => {
    expect(shingleHashes('我喜欢学习中文', 5).length).toBe(3);
  });

  it('turns a text too short for one n-gram into a single shingle of the whole text', () => {
    expect(shingleHashes('hi there', 5).length).toBe(1);
    expect(shingleHashes('hi there', 5)).toEqual(shingleHashes('Hi, there!', 5));
    expect(shingleHashes('hi there', 5)).not.toEqual(shingleHashes('hi you', 5));
    expect(shingleHashes('...', 5).length).toBe(1);
    expect(shingleHashes('...', 5)).not.toEqual(shingleHashes('!!!', 5));
  });
});

describe('hashes', () => {
  it('are seeded and hash53 is a safe integer', () => {
    expect(hashString('abc', 1)).not.toBe(hashString('abc', 2));
    expect(hashString('abc', 1)).toBe(hashString('abc', 1));
    const h = hash53('some n-gram');
    expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    const many = new Set(Array.from({ length: 50_000 }, (_, i) => hash53(`ngram ${i}`)));
    expect(many.size).toBe(50_000);
  });
});
