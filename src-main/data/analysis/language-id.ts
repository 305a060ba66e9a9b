// Language identification for filters and analysis: eld (n-gram detector) per sentence, combined into one language and a confidence.
//
// Consumers load this module with a dynamic import(): eld's n-gram table takes about a second to parse, and the
// operator registry should not pay that at start-up. The medium table: eld's README gives it 99.4% on tweets against
// large's 99.7%, and it loads in ~1 s against ~2.4 s here.
import { eld as eldMedium } from 'eld/medium';

export interface LanguageGuess {
  /**
   * ISO 639-1 code, or null when nothing is recognised: either the text is too short to judge (`letters` under
   * MIN_LETTERS, after code is stripped) or no sentence of it reads as any language (gibberish).
   */
  language: string | null;
  /**
   * The share of the text's letters that sit in sentences eld reliably assigns to `language`, in [0, 1].
   * 1 means every sentence reads clearly as that language; a text of two languages in equal parts scores about 0.5,
   * gibberish and near-ties (Danish vs Norwegian on one short line) score low. It is a measure of agreement, not a
   * calibrated probability.
   */
  confidence: number;
  /** Letters the guess rests on: those of the sentences eld could judge (short unclear fragments left out). */
  letters: number;
}

export interface DetectOptions {
  /** Pieces scored at most, spread evenly over the text (eld costs ~0.1 ms per piece). Default 8. */
  maxSegments?: number;
  /**
   * Pack consecutive sentences into pieces of up to ~300 bytes (eld's window) instead of judging each sentence alone:
   * several times cheaper, for a dataset-wide language mix, but blind to a record that switches language mid-piece.
   */
  packed?: boolean;
}

/** Fewer letters than this (after stripping code) is "undetermined": eld's own reliability needs a few n-grams. */
export const MIN_LETTERS = 12;
/** Pieces with fewer letters than this are too short for eld to judge alone. */
const SHORT_LETTERS = 20;
/**
 * eld's scores lie in [0, 1] per language; when the best two are closer than this the sentence counts only in
 * proportion (Spanish vs Catalan on "El zorro salta." are 0.025 apart; clear English sentences lead by 0.14+).
 */
const CLEAR_MARGIN = 0.02;
/** eld reads only the first ~350 bytes of its input, so longer sentences are cut into pieces of about this many bytes. */
const PIECE_BYTES = 300;

// Our own instance: enableTextCleanup (drops URLs, e-mails, number codes) must not leak into other users of eld.
const detector = eldMedium.newInstance();
detector.enableTextCleanup(true);

/** Removes fenced code blocks (``` and ~~~, unterminated ones to the end) and inline `code`: code is not a language. */
export function stripCode(text: string): string {
  return text
    .replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm, '\n')
    .replace(/`[^`\n]+`/g, ' ');
}

export function detectLanguage(text: string, opts: DetectOptions = {}): LanguageGuess {
  const maxSegments = opts.maxSegments ?? 8;
  const sentences = segmentsOf(stripCode(text));
  const segments = spread(opts.packed ? pack(sentences) : sentences, maxSegments);
  const votes = new Map<string, number>();
  let letters = 0;
  for (const seg of segments) {
    const n = countLetters(seg);
    const result = detector.detect(seg);
    // isReliable(): at least 3 n-grams and a top score >= 0.75 × eld's average for correct detections of that language.
    // Its second test (a gap to the runner-up) compares the score with a language index in eld 2.1, so the margin
    // below is ours.
    const reliable = result.language !== '' && result.isReliable();
    // eld cannot judge a few words ("Fix this:", "Hi!"), so an unreliable short piece is neither for nor against any
    // language; an unreliable long one reads as no language at all and counts against the winner.
    if (!reliable && n < SHORT_LETTERS) continue;
    letters += n;
    if (!reliable) continue;
    const scores = Object.values(result.getScores()).sort((a, b) => b - a);
    const margin = (scores[0] ?? 0) - (scores[1] ?? 0);
    votes.set(result.language, (votes.get(result.language) ?? 0) + n * Math.min(1, margin / CLEAR_MARGIN));
  }
  if (letters < MIN_LETTERS) return { language: null, confidence: 0, letters };
  let best: string | null = null;
  let bestVotes = 0;
  for (const [lang, v] of votes) if (v > bestVotes) [best, bestVotes] = [lang, v];
  return { language: best, confidence: best === null ? 0 : Math.min(1, bestVotes / letters), letters };
}

/** Sentences (and lines), each cut to pieces eld reads whole. */
function segmentsOf(text: string): string[] {
  const out: string[] = [];
  for (const sentence of text.split(/(?<=[.!?])\s+|(?<=[。！？])|\n+/)) {
    let piece = '';
    let bytes = 0;
    for (const word of sentence.split(/\s+/)) {
      // Unspaced scripts (Chinese, Japanese, Thai) give one long "word": cut it by characters.
      for (let i = 0; i < word.length; i += 100) {
        const part = word.slice(i, i + 100);
        const partBytes = utf8Bytes(part);
        if (bytes + partBytes > PIECE_BYTES && piece) {
          out.push(piece);
          [piece, bytes] = ['', 0];
        }
        piece += (piece && i === 0 ? ' ' : '') + part;
        bytes += partBytes + 1;
      }
    }
    if (piece.trim()) out.push(piece);
  }
  return out;
}

/** Joins consecutive pieces while the result stays within PIECE_BYTES. */
function pack(pieces: string[]): string[] {
  const out: string[] = [];
  let bytes = Infinity;
  for (const piece of pieces) {
    const b = utf8Bytes(piece);
    if (bytes + b + 1 > PIECE_BYTES) {
      out.push(piece);
      bytes = b;
    } else {
      out[out.length - 1] += ` ${piece}`;
      bytes += b + 1;
    }
  }
  return out;
}

/** At most MAX items, evenly spaced, so a long answer is judged by its whole length, not its first lines. */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

function countLetters(text: string): number {
  return text.match(/\p{L}/gu)?.length ?? 0;
}

function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 2 : 3; // a surrogate pair is 4 bytes in all
  }
  return n;
}
