// Word tokens and hashed word n-gram shingles for near dedup and decontamination, with a character fallback for
// scripts written without spaces.
import { combine, fmix32, hashString } from './hash';

// Han, kana, Thai, Lao, Khmer, Myanmar and Tibetan are written without spaces between words, so a "word" there would be
// a whole clause: each of their characters is a token instead, which makes a 5-gram shingle a character 5-gram.
// Emoji are single tokens too. Anything else that is a letter, digit or mark forms words; the rest separates them.
const NO_SPACE_SCRIPT = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}`;
const TOKEN = new RegExp(
  String.raw`[${NO_SPACE_SCRIPT}]|\p{Extended_Pictographic}|(?:(?![${NO_SPACE_SCRIPT}])[\p{L}\p{N}\p{M}])+`,
  'gu',
);
// Most training text is ASCII: there NFKC is a no-op and a plain regex is several times faster than the Unicode one.
const NON_ASCII = /[\u0080-\uffff]/;
const ASCII_TOKEN = /[a-z0-9]+/g;

/** The tokens of TEXT after NFKC and lowercasing: words, plus single characters for CJK/Thai-like scripts and emoji. */
export function tokens(text: string): string[] {
  if (!NON_ASCII.test(text)) return text.toLowerCase().match(ASCII_TOKEN) ?? [];
  return text.normalize('NFKC').toLowerCase().match(TOKEN) ?? [];
}

/** The 32-bit hash of each token. */
export function tokenHashes(toks: readonly string[]): Int32Array {
  const out = new Int32Array(toks.length);
  for (let i = 0; i < toks.length; i++) out[i] = hashString(toks[i]);
  return out;
}

/** The hash of the N tokens starting at START (combined from token hashes, so no n-gram string is ever built). */
export function ngramHash(th: Int32Array, start: number, n: number): number {
  let h = n;
  for (let j = start; j < start + n; j++) h = combine(h, th[j]);
  return fmix32(h);
}

/**
 * Hashed word N-gram shingles of TEXT (duplicates kept: MinHash does not care). A text with fewer than N tokens is one
 * shingle of all of them, and one without any token (punctuation only, empty) is one shingle of the raw text, so every
 * record has a signature and two such records match only when they are equal.
 */
export function shingleHashes(text: string, n: number): Int32Array {
  const th = tokenHashes(tokens(text));
  if (th.length === 0) return Int32Array.of(hashString(text, 0x7f4a7c15));
  if (th.length < n) return Int32Array.of(ngramHash(th, 0, th.length));
  const out = new Int32Array(th.length - n + 1);
  for (let i = 0; i < out.length; i++) out[i] = ngramHash(th, i, n);
  return out;
}
