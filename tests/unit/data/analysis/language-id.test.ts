// detectLanguage: the right code with high confidence for clear text, low confidence for mixed text and gibberish.
import { describe, expect, it } from 'vitest';
import { detectLanguage, MIN_LETTERS, stripCode } from '../../../../src-main/data/analysis/language-id';
import { PARAGRAPHS } from './paragraphs';

describe('detectLanguage', () => {
  for (const [code, text] of Object.entries(PARAGRAPHS)) {
    it(`identifies a clear ${code} paragraph with confidence >= 0.8`, () => {
      const guess = detectLanguage(text);
      expect(guess.language).toBe(code);
      expect(guess.confidence).toBeGreaterThanOrEqual(0.8);
      expect(guess.confidence).toBeLessThanOrEqual(1);
    });
  }

  it('gives a text of four languages in equal parts a low confidence', () => {
    const mixed = [PARAGRAPHS.en, PARAGRAPHS.fr, PARAGRAPHS.de, 'El rápido zorro marrón salta sobre el perro perezoso. Por favor escribe un ensayo corto.'].join(' ');
    const guess = detectLanguage(mixed);
    expect(guess.confidence).toBeLessThan(0.5);
    expect(guess.confidence).toBeGreaterThan(0.1); // each language is recognised, just not one for the whole
  });

  it('gives half English, half French about one half', () => {
    const guess = detectLanguage(`${PARAGRAPHS.en}\n${PARAGRAPHS.fr}`);
    expect(['en', 'fr']).toContain(guess.language);
    expect(guess.confidence).toBeGreaterThan(0.3);
    expect(guess.confidence).toBeLessThan(0.7);
  });

  it('recognises no language in long gibberish', () => {
    const guess = detectLanguage('xqzv kjh wpfl zzq brrt mnbv qwpo lkjh asdf zxcv. Blorf snarg quibble wozzle frint, makka dronk splee vorp.');
    expect(guess.confidence).toBeLessThan(0.5);
    expect(guess.letters).toBeGreaterThanOrEqual(MIN_LETTERS); // long enough to judge: not "undetermined"
  });

  it('calls texts too short to judge undetermined', () => {
    for (const text of ['ok', 'Hi!', 'What is 2+2?', '']) {
      const guess = detectLanguage(text);
      expect(guess).toMatchObject({ language: null, confidence: 0 });
      expect(guess.letters).toBeLessThan(MIN_LETTERS);
    }
  });

  it('ignores code blocks: prose around a long code block is still English, code alone is undetermined', () => {
    const code = '```python\n' + 'def quicksort(xs):\n    return sorted(xs) if len(xs) < 2 else xs\n'.repeat(10) + '```';
    expect(detectLanguage(`Fix the bug in this function, please.\n${code}\nIt returns the wrong order for short lists.`)).toMatchObject({ language: 'en', confidence: 1 });
    expect(detectLanguage(code).language).toBeNull();
  });

  it('judges a long text by its whole length, not only its first sentences', () => {
    const longFrench = Array.from({ length: 20 }, () => PARAGRAPHS.fr).join(' ');
    const guess = detectLanguage(`${PARAGRAPHS.en} ${longFrench}`);
    expect(guess.language).toBe('fr');
    expect(guess.confidence).toBeLessThan(1); // the English opening is seen too
  });
});

describe('stripCode', () => {
  it('removes fenced blocks (also unterminated) and inline code, keeping the prose', () => {
    expect(stripCode('Run `npm test` now.\n```sh\nls -la\n```\nDone.')).toBe('Run   now.\n\n\nDone.');
    expect(stripCode('Look:\n~~~\nx = 1\n').trim()).toBe('Look:');
  });
});
