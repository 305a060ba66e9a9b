// analyzeRecords end to end on small synthetic datasets: counts, histograms, language mix, verbs, topics, complexity.
import { describe, expect, it } from 'vitest';
import { DatasetAnalysis } from '../../../../src-main/common/data-analysis';
import { analyzeRecords } from '../../../../src-main/data/analysis/analyze-dataset';
import { Reservoir } from '../../../../src-main/data/analysis/reservoir';
import type { DataRecord } from '../../../../src-main/data/ops/operator';
import { PARAGRAPHS } from './paragraphs';

const THINGS = ['the sea', 'autumn leaves', 'a lost cat', 'the moon', 'city lights', 'old friends', 'a quiet library', 'mountain rain', 'the first snow', 'a train at night'];
const SENTENCES = ['the weather is nice today', 'where is the station', 'I like green tea', 'we are going home', 'the shop opens at nine', 'my brother plays chess'];

function record(idx: number, user: string, answer: string, extra: Partial<DataRecord> = {}): DataRecord {
  return { idx, messages: [{ role: 'user', content: user }, { role: 'assistant', content: answer }], ...extra };
}

/** 30 "Write a poem about X" and 30 "Translate this sentence into French: Y" records, interleaved. */
function poemsAndTranslations(): DataRecord[] {
  const out: DataRecord[] = [];
  for (let i = 0; i < 30; i++) {
    out.push(record(2 * i, `Write a poem about ${THINGS[i % THINGS.length]}.`, `Here is a poem about ${THINGS[i % THINGS.length]}, with quiet lines and gentle rhymes that return.`));
    out.push(record(2 * i + 1, `Translate this sentence into French: ${SENTENCES[i % SENTENCES.length]}.`, 'Voici la phrase traduite en français, avec le sens conservé.'));
  }
  return out;
}

async function* stream<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

describe('analyzeRecords', () => {
  it('finds the instruction verbs and their objects (Self-Instruct verb-noun)', async () => {
    const a = await analyzeRecords(poemsAndTranslations());
    expect(a.verbs).toMatchObject({ sampled: 60, english: 60, withVerb: 60 });
    expect(a.verbs.top.map((v) => [v.verb, v.count])).toEqual([['write', 30], ['translate', 30]]);
    expect(a.verbs.top[0]!.objects).toEqual([{ noun: 'poem', count: 30 }]);
    expect(a.verbs.top[1]!.objects).toEqual([{ noun: 'sentence', count: 30 }]);
  });

  it('gives histograms that sum to the record count, and the summary counts', async () => {
    const records = poemsAndTranslations();
    records[0] = { ...records[0]!, system: 'You are a poet.' };
    records[1] = { ...records[1]!, messages: [...records[1]!.messages, { role: 'user', content: 'Thanks, now into German.' }, { role: 'assistant', content: 'Gern.' }] };
    const a = await analyzeRecords(stream(records), { tokenizer: { count: (t) => t.split(/\s+/).length } });
    expect(() => DatasetAnalysis.parse(a)).not.toThrow();
    expect(a.records).toBe(60);
    expect(a.withSystem).toBe(1);
    for (const h of [a.turns, a.promptChars, a.answerChars, a.tokens!]) {
      expect(h.counts.reduce((s, c) => s + c, 0)).toBe(60);
      expect(h.counts.length).toBe(h.edges.length - 1);
    }
    expect(a.turns.counts[1]).toBe(59); // one turn each
    expect(a.turns.counts[2]).toBe(1); // and the record with a follow-up
    expect(a.complexity.turnsMean).toBeCloseTo(61 / 60);
    expect(a.promptChars.max).toBe(Math.max(...records.map((r) => [r.system ?? '', ...r.messages.filter((m) => m.role === 'user').map((m) => m.content)].filter(Boolean).join('\n').length)));
    expect(a.tokens!.min).toBeGreaterThan(5);
  });

  it('counts the language mix of mixed-language records, with undetermined ones apart', async () => {
    const records: DataRecord[] = [];
    const plan = { en: 5, fr: 4, de: 3, zh: 2, ar: 1, ja: 1 } as Record<string, number>;
    for (const [code, n] of Object.entries(plan)) for (let i = 0; i < n; i++) records.push(record(records.length, PARAGRAPHS[code]!, PARAGRAPHS[code]!));
    records.push(record(records.length, 'Hi', 'Hello!'));
    const a = await analyzeRecords(records);
    expect(a.languages).toEqual([...Object.entries(plan).map(([language, count]) => ({ language, count })), { language: 'und', count: 1 }]);
    expect(a.languages.reduce((s, l) => s + l.count, 0)).toBe(records.length);
    expect(a.verbs).toMatchObject({ sampled: records.length, english: 6 }); // English prompts and "Hi" (too short to tell)
  });

  it('separates two topics and samples at most sampleForTopics prompts', async () => {
    const a = await analyzeRecords(poemsAndTranslations(), { topics: 2, seed: 3 });
    expect(a.topics.k).toBe(2);
    expect(a.topics.clusters.map((c) => c.size)).toEqual([30, 30]);
    const poems = a.topics.clusters.find((c) => c.terms.includes('poem'))!;
    expect(poems.terms).not.toContain('french');
    expect(poems.examples.every((e) => e.startsWith('Write a poem'))).toBe(true);

    const small = await analyzeRecords(poemsAndTranslations(), { sampleForTopics: 20, sampleForVerbs: 10 });
    expect(small.topics.sampled).toBe(20);
    expect(small.verbs.sampled).toBe(10);
    expect(small.records).toBe(60);
  });

  it('measures prompt words and the share of prompts with constraints', async () => {
    const a = await analyzeRecords([
      record(0, 'Describe Paris in 50 words.', 'Paris is a city.'),
      record(1, 'Tell me about Rome. Do not mention the Colosseum.', 'Rome is old.'),
      record(2, 'What is the capital of Spain?', 'Madrid.'),
      record(3, 'Name a color', 'Blue.', { system: 'You must answer in JSON.' }), // the system prompt is not the user's constraint
    ]);
    expect(a.complexity.constrainedFraction).toBe(0.5);
    expect(a.complexity.cues).toEqual({ obligation: 0, limit: 0, length: 1, format: 0, negation: 1, list: 0 });
    expect(a.complexity.promptWordsMean).toBeCloseTo((5 + 9 + 6 + 3) / 4);
    expect(a.complexity.promptWordsMedian).toBe(5.5);
  });

  it('is deterministic for a seed', async () => {
    const [a, b] = await Promise.all([analyzeRecords(poemsAndTranslations(), { seed: 5 }), analyzeRecords(poemsAndTranslations(), { seed: 5 })]);
    expect(a).toEqual(b);
  });

  it('analyses an empty dataset', async () => {
    const a = await analyzeRecords([]);
    expect(a).toMatchObject({ records: 0, languages: [], verbs: { sampled: 0, top: [] }, topics: { clusters: [] }, tokens: null });
  });
});

describe('Reservoir', () => {
  it('keeps a uniform sample: each of 100 items lands in a 10-item sample about 10% of the time', () => {
    const hits = new Array(100).fill(0);
    for (let seed = 0; seed < 2000; seed++) {
      const r = new Reservoir<number>(10, seed);
      for (let i = 0; i < 100; i++) r.offer(() => i);
      expect(r.items).toHaveLength(10);
      for (const i of r.items) hits[i]++;
    }
    expect(Math.min(...hits)).toBeGreaterThan(140); // expected 200 each
    expect(Math.max(...hits)).toBeLessThan(260);
  });
});
