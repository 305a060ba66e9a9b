// Counting units of text the filters share (code points, words with CJK and emoji handled) and the field choice
// (prompt / answer / all) with the wording reasons use.
import { z } from 'zod';
import type { Conversation } from '../formats/conversation';
import { allText, answerText, promptText } from './record-text';

export const TextField = z.enum(['prompt', 'answer', 'all']);
export type TextField = z.infer<typeof TextField>;

/** How a reason names the field: "answer has 3 words". */
export const FIELD_LABEL: Record<TextField, string> = { prompt: 'prompt', answer: 'answer', all: 'text' };

export function fieldText(record: Conversation, field: TextField): string {
  return field === 'prompt' ? promptText(record) : field === 'answer' ? answerText(record) : allText(record);
}

/** Characters as Python's len() counts them (code points), the unit data-juicer's length filters use. */
export function codePointCount(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const prev = text.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) n--; // the low half of a surrogate pair is not a character of its own
    }
  }
  return n;
}

// Words. Scripts written without spaces (Han, Hiragana, Katakana) count one word per character, as BERT's
// BasicTokenizer (tokenize_chinese_chars) and sacreBLEU's zh tokenizer split them; Hangul is space-separated and
// counts as ordinary words. An emoji (with its modifiers, variation selector and ZWJ-joined parts, or a flag pair)
// counts as one word. Otherwise a word is a run of letters, marks and digits, with inner apostrophes, hyphens and
// dots kept ("don't", "state-of-the-art", "3.14" are one word each); punctuation alone is no word.
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const EMOJI = '\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|\\uFE0F|\\u20E3)*(?:\\u200D\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|\\uFE0F)*)*';
const WORD_CHAR = `(?:(?![${CJK}])[\\p{L}\\p{M}\\p{N}])`;
const WORD_SOURCE = `[${CJK}]|${EMOJI}|\\p{Regional_Indicator}{2}|${WORD_CHAR}+(?:['’.\\-]${WORD_CHAR}+)*`;

/** A fresh global regex for words (global regexes carry state, so each caller gets its own). */
export function wordRegex(): RegExp {
  return new RegExp(WORD_SOURCE, 'gu');
}

export function countWords(text: string): number {
  const re = wordRegex();
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

export function splitWords(text: string): string[] {
  return text.match(wordRegex()) ?? [];
}

/** A ratio as a reason shows it: "31%", "25.4%" (one decimal, so a value just over a limit never reads as equal). */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

/** A count with thousands separators, for reasons about long texts. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
