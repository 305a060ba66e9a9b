// Exact-dedup normalisation: the string form and the single-pass hash must agree and merge only cosmetic variants.
import { describe, expect, it } from 'vitest';
import { feedNormalized, feedSeparator, newKeyLanes, normalizeKey } from '../../../../src-main/data/dedup/normalize-key';

const hashOf = (...fields: string[]) => {
  const lanes = newKeyLanes();
  fields.forEach((f, k) => {
    if (k > 0) feedSeparator(lanes);
    feedNormalized(f, lanes);
  });
  return [...lanes];
};

describe('normalizeKey', () => {
  it('folds Unicode form, case and spacing, and strips punctuation at the ends only', () => {
    expect(normalizeKey('  What IS\t the   capital\nof France?! ')).toBe('what is the capital of france');
    expect(normalizeKey('ＨＥＬＬＯ，　ｗｏｒｌｄ')).toBe('hello, world'); // full-width letters, comma and space
    expect(normalizeKey('"e.g. this"')).toBe('e.g. this');
  });

  it('keeps emoji (symbols, not punctuation) and CJK text', () => {
    expect(normalizeKey('👍')).toBe('👍');
    expect(normalizeKey('  你好，世界。')).toBe('你好,世界') // NFKC turns the full-width comma into ',';
  });
});

describe('feedNormalized', () => {
  it('hashes exactly the normalised string, on the ASCII fast path and the Unicode path alike', () => {
    for (const text of ['  Hello   World! ', 'Ｈｅｌｌｏ　ｗｏｒｌｄ', '(Résumé  of  THE talk)', '你好 世界', '👍 great']) {
      expect(hashOf(text)).toEqual(hashOf(normalizeKey(text)));
    }
    expect(hashOf('Hello,   WORLD.')).toEqual(hashOf('hello, world'));
  });

  it('separates different texts and different field splits', () => {
    expect(hashOf('hello world')).not.toEqual(hashOf('hello world2'));
    expect(hashOf('hello, world')).not.toEqual(hashOf('hello world'));
    expect(hashOf('👍')).not.toEqual(hashOf('👎'));
    expect(hashOf('ab', 'c')).not.toEqual(hashOf('a', 'bc'));
    expect(hashOf('ab', 'c')).toEqual(hashOf('AB', ' c '));
  });
});
