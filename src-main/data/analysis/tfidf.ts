// TF-IDF vectors of short texts as sparse, L2-normalised rows: the input of the topic clustering.
//
// Weights as scikit-learn's TfidfVectorizer(sublinear_tf=True): tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1.
// Terms in fewer than 2 texts cannot shape a cluster and terms in over half of them ("please", "following") say
// nothing about topic, so both are left out of the vocabulary.

/** One text as a sparse vector: ascending term ids and their weights, with unit L2 norm (dot product = cosine). */
export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

export interface TfidfMatrix {
  rows: SparseVector[];
  vocabulary: string[]; // term of each id
}

const STOPWORDS = new Set(
  ('a about above after again all also am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers him his how ' +
    'i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own ' +
    'please same she should so some such than that the their theirs them then there these they this those through to too ' +
    'under until up very was we were what when where which while who whom why will with would you your yours ' +
    'give given make use using write following provide based one two three like need want get').split(' '),
);

/**
 * Lower-case words of 2+ letters (not stopwords, not pure numbers); runs of Chinese/Japanese characters, which have
 * no spaces, give their character bigrams instead.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu)) {
    const word = m[0];
    if (/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(word)) {
      for (let i = 0; i + 1 < word.length; i++) out.push(word.slice(i, i + 2));
      if (word.length === 1) out.push(word);
    } else if (word.length >= 2 && !STOPWORDS.has(word) && !/^[\d'_-]+$/.test(word)) {
      out.push(word.replace(/'s$/, ''));
    }
  }
  return out;
}

export function tfidf(texts: string[], opts: { minDf?: number; maxDfRatio?: number; maxTerms?: number } = {}): TfidfMatrix {
  const { minDf = 2, maxDfRatio = 0.5, maxTerms = 20_000 } = opts;
  const docs = texts.map((t) => countTerms(tokenize(t)));
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of doc.keys()) df.set(term, (df.get(term) ?? 0) + 1);

  const n = texts.length;
  const maxDf = Math.max(minDf, Math.floor(maxDfRatio * n));
  const vocabulary = [...df].filter(([, d]) => d >= minDf && d <= maxDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxTerms)
    .map(([term]) => term)
    .sort();
  const idOf = new Map(vocabulary.map((term, id) => [term, id]));
  const idf = vocabulary.map((term) => Math.log((1 + n) / (1 + df.get(term)!)) + 1);

  const rows = docs.map((doc) => {
    const entries: [number, number][] = [];
    for (const [term, count] of doc) {
      const id = idOf.get(term);
      if (id !== undefined) entries.push([id, (1 + Math.log(count)) * idf[id]!]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    const norm = Math.hypot(...entries.map(([, w]) => w)) || 1;
    return { ids: Int32Array.from(entries, ([id]) => id), weights: Float64Array.from(entries, ([, w]) => w / norm) };
  });
  return { rows, vocabulary };
}

function countTerms(terms: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
