// One pass over a dataset's records giving the analysis the data view shows: lengths, languages, verbs, topics, complexity.
//
// Counts and histograms cover every record; the costly parts (compromise's tagger at ~1 ms a prompt, k-means) run on
// seeded reservoir samples, so 100k records take seconds and the same seed gives the same answer.
import type { DatasetAnalysis, LanguageCount } from '../../common/data-analysis';
import type { DataRecord, TokenCounter } from '../ops/operator';
import { answerText, allText, promptText } from '../ops/record-text';
import { CONSTRAINT_CUES, constraintCues } from './constraints';
import { countEdges, histogram, median } from './histogram';
import { Reservoir } from './reservoir';
import { topicClusters } from './topics';

export interface AnalyzeOptions {
  /** Adds a histogram of tokens per record under this tokenizer. */
  tokenizer?: TokenCounter;
  /** Prompts sampled for the topic clusters (default 5,000). */
  sampleForTopics?: number;
  /** Prompts sampled for the verb-object analysis (default 5,000). */
  sampleForVerbs?: number;
  /** Number of topic clusters, k (default 8). */
  topics?: number;
  seed?: number;
  /** Called every 1,000 records with the count so far. */
  onProgress?: (records: number) => void;
}

const TOP_LANGUAGES = 12;
/** Prompt characters kept per sampled record: the instruction is at the start, and k-means cost grows with length. */
const SAMPLE_CHARS = 2000;

export async function analyzeRecords(records: AsyncIterable<DataRecord> | Iterable<DataRecord>, opts: AnalyzeOptions = {}): Promise<DatasetAnalysis> {
  const seed = opts.seed ?? 0;
  // Loaded on first use: eld's tables and compromise's lexicon cost ~1.5 s to import between them.
  const [{ detectLanguage }, { verbObject, tallyVerbs }] = await Promise.all([import('./language-id'), import('./verb-noun')]);
  const topicSample = new Reservoir<string>(opts.sampleForTopics ?? 5000, seed);
  const verbSample = new Reservoir<string>(opts.sampleForVerbs ?? 5000, seed + 1);

  const turns: number[] = [];
  const promptChars: number[] = [];
  const answerChars: number[] = [];
  const promptWords: number[] = [];
  const tokens: number[] = [];
  const languages = new Map<string, number>();
  const cues = Object.fromEntries(CONSTRAINT_CUES.map((c) => [c, 0])) as DatasetAnalysis['complexity']['cues'];
  let withSystem = 0;
  let constrained = 0;

  for await (const record of records) {
    const user = record.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
    const firstUser = record.messages.find((m) => m.role === 'user')?.content ?? '';
    const firstAnswer = record.messages.find((m) => m.role === 'assistant')?.content ?? '';

    turns.push(record.messages.filter((m) => m.role === 'assistant').length);
    if (record.system) withSystem++;
    promptChars.push(promptText(record).length);
    answerChars.push(answerText(record).length);
    if (opts.tokenizer) tokens.push(opts.tokenizer.count(allText(record)));

    // One eld call per record (its first ~300 bytes): the mix is over records, and per-sentence scoring of 100k
    // records would take minutes.
    const lang = detectLanguage(`${firstUser.slice(0, 400)}\n${firstAnswer.slice(0, 400)}`, { packed: true, maxSegments: 1 });
    const code = lang.language ?? 'und';
    languages.set(code, (languages.get(code) ?? 0) + 1);

    // Complexity reads the user's turns only: a system prompt shared by every record would mark them all alike.
    promptWords.push(countWords(user));
    const found = constraintCues(user);
    if (found.length) constrained++;
    for (const cue of found) cues[cue]++;

    topicSample.offer(() => user.slice(0, SAMPLE_CHARS));
    verbSample.offer(() => firstUser.slice(0, SAMPLE_CHARS));
    if (turns.length % 1000 === 0) opts.onProgress?.(turns.length);
  }

  // compromise tags English only: the prompt itself must read as English (or be too short to tell, like "Name a color").
  const english = verbSample.items.filter((text) => [null, 'en'].includes(detectLanguage(text).language));
  const pairs = english.map(verbObject).filter((p) => p !== null);
  const k = opts.topics ?? 8;
  return {
    records: turns.length,
    withSystem,
    turns: histogram(turns, countEdges),
    promptChars: histogram(promptChars),
    answerChars: histogram(answerChars),
    tokens: opts.tokenizer ? histogram(tokens) : null,
    languages: languageMix(languages),
    verbs: { sampled: verbSample.items.length, english: english.length, withVerb: pairs.length, top: tallyVerbs(pairs) },
    topics: { sampled: topicSample.items.length, k, clusters: topicClusters(topicSample.items, { k, seed }) },
    complexity: {
      promptWordsMean: mean(promptWords),
      promptWordsMedian: median(Float64Array.from(promptWords).sort()),
      turnsMean: mean(turns),
      constrainedFraction: turns.length ? constrained / turns.length : 0,
      cues,
    },
  };
}

/** The TOP_LANGUAGES most frequent codes, then 'other' (the rest) and 'und' (undetermined), when non-zero. */
function languageMix(counts: Map<string, number>): LanguageCount[] {
  const und = counts.get('und') ?? 0;
  const ranked = [...counts].filter(([code]) => code !== 'und').sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out = ranked.slice(0, TOP_LANGUAGES).map(([language, count]) => ({ language, count }));
  const other = ranked.slice(TOP_LANGUAGES).reduce((s, [, c]) => s + c, 0);
  if (other) out.push({ language: 'other', count: other });
  if (und) out.push({ language: 'und', count: und });
  return out;
}

/** Whitespace-separated words; Chinese and Japanese text (no spaces) counts low, which the language mix makes visible. */
function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

function mean(values: number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}
