// Exact match the SQuAD way (the official evaluate-v1.1 script's normalize_answer): lowercase, drop ASCII
// punctuation, drop the articles a / an / the, collapse whitespace; then compare the two strings.

/** Python's string.punctuation: the ASCII punctuation the SQuAD script removes (other scripts' marks are kept). */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** Whole-word articles; word characters as Python's Unicode \b sees them (letters, digits, marks, underscore). */
const ARTICLES = /(?<![\p{L}\p{N}\p{M}_])(?:a|an|the)(?![\p{L}\p{N}\p{M}_])/gu;

export function normalizeAnswer(text: string): string {
  return text.toLowerCase().replace(PUNCTUATION, '').replace(ARTICLES, ' ').split(/\s+/).filter(Boolean).join(' ');
}

/** 1 when the two answers are equal once normalised, else 0 (a number, so a mean over records is the exact-match rate). */
export function exactMatch(prediction: string, reference: string): 0 | 1 {
  return normalizeAnswer(prediction) === normalizeAnswer(reference) ? 1 : 0;
}
