// ngram_repetition: removes records whose text repeats itself: too many characters or words inside n-grams that
// occur more than once (the signature of a model stuck in a loop, or of scraped boilerplate).
import { z } from 'zod';
import { defineOperator, KEEP, type Decision } from './operator';
import { FIELD_LABEL, fieldText, percent, splitWords, TextField } from './text-units';

const params = z.object({
  /** The answer by default: prompts legitimately repeat in answers (quotes, corrections, summaries). */
  field: TextField.default('answer'),
  charN: z.number().int().min(2).max(100).default(10),
  maxCharRatio: z.number().min(0).max(1).default(0.5),
  wordN: z.number().int().min(2).max(50).default(10),
  maxWordRatio: z.number().min(0).max(1).default(0.5),
}).strict();

// Definition (Gopher, Rae et al. 2021, "fraction of characters in duplicate n-grams"): the share of units (here
// characters, resp. words) that lie inside at least one n-gram occurring more than once in the text, each unit
// counted once however many duplicates cover it. Gopher weights word n-grams by their characters; we count words,
// and unlike data-juicer's repetition filters (which sum the frequencies of repeated n-grams over all n-grams) a
// unit covered by overlapping duplicates is not counted twice, so the ratio stays within 0..1 and reads as "share
// of the text that is repetition".

// n-grams are keyed by a 52-bit polynomial hash (two 26-bit halves), so a 1 MB text needs one number per
// position instead of a million substrings. A collision can only make a text look more repetitive, and at 2^-52
// per pair it is negligible even for a megabyte.
const P1 = 67_108_859; // primes below 2^26, so h * base + c stays below 2^53
const P2 = 67_108_837;
const BASE = 1_000_003;

/** The fraction of UNITS (code points or word ids) covered by n-grams that occur at least twice. */
export function duplicateCoverage(units: ArrayLike<number>, n: number): number {
  const len = units.length;
  if (len < n || len === 0) return 0;
  const hashes = new Float64Array(len - n + 1);
  let pow1 = 1;
  let pow2 = 1;
  for (let i = 1; i < n; i++) {
    pow1 = (pow1 * BASE) % P1;
    pow2 = (pow2 * BASE) % P2;
  }
  let h1 = 0;
  let h2 = 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < len; i++) {
    if (i >= n) { // roll the leftmost unit out
      h1 = (h1 - ((units[i - n] % P1) * pow1) % P1 + P1) % P1;
      h2 = (h2 - ((units[i - n] % P2) * pow2) % P2 + P2) % P2;
    }
    h1 = (h1 * BASE + (units[i] % P1)) % P1;
    h2 = (h2 * BASE + (units[i] % P2)) % P2;
    if (i >= n - 1) {
      const key = h1 * 2 ** 26 + h2;
      hashes[i - n + 1] = key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  let covered = 0;
  let coveredUntil = 0; // units before this index are already counted
  for (let start = 0; start < hashes.length; start++) {
    if (counts.get(hashes[start])! < 2) continue;
    const from = Math.max(start, coveredUntil);
    covered += start + n - from;
    coveredUntil = start + n;
  }
  return covered / len;
}

function codePoints(text: string): Uint32Array {
  const out = new Uint32Array(text.length);
  let k = 0;
  for (const ch of text) out[k++] = ch.codePointAt(0)!;
  return out.subarray(0, k);
}

/** Words (lower-cased, so "The the" repeats) as small integer ids. */
function wordIds(text: string): Uint32Array {
  const ids = new Map<string, number>();
  const words = splitWords(text.toLowerCase());
  const out = new Uint32Array(words.length);
  words.forEach((w, i) => {
    let id = ids.get(w);
    if (id === undefined) ids.set(w, (id = ids.size + 1));
    out[i] = id;
  });
  return out;
}

export const ngramRepetitionOperator = defineOperator({
  name: 'ngram_repetition',
  title: 'Repetition (n-grams)',
  description:
    'Removes records in which too much of the answer sits inside repeated character or word n-grams, as when ' +
    'a model loops or a scraped page repeats its boilerplate (the Gopher repetition rule).',
  group: 'filter',
  params,
  create(p) {
    const label = FIELD_LABEL[p.field];
    return (record): Decision => {
      const text = fieldText(record, p.field);
      const charRatio = duplicateCoverage(codePoints(text), p.charN);
      if (charRatio > p.maxCharRatio) {
        return {
          action: 'remove',
          reason: `${percent(charRatio)} of the ${label}'s characters are in repeated ${p.charN}-character n-grams (max ${percent(p.maxCharRatio)})`,
        };
      }
      const wordRatio = duplicateCoverage(wordIds(text), p.wordN);
      if (wordRatio > p.maxWordRatio) {
        return {
          action: 'remove',
          reason: `${percent(wordRatio)} of the ${label}'s words are in repeated ${p.wordN}-word n-grams (max ${percent(p.maxWordRatio)})`,
        };
      }
      return KEEP;
    };
  },
});
