// Sample data-API values for renderer tests: datasets, versions, stored records, operators, an analysis.
import type { DatasetAnalysis, Histogram } from '../../../src-main/common/data-analysis';
import type { Dataset, DatasetVersion, OperatorInfo, StoredRecord } from '../../../src-main/common/datasets';

export function version(overrides: Partial<DatasetVersion> = {}): DatasetVersion {
  return {
    id: 'v1', datasetId: 'd1', version: 1, parentVersionId: null, kind: 'import', state: 'ready', recipe: null, recordCount: 3,
    createdAt: '2026-01-02T10:00:00.000Z', note: null, ...overrides,
  };
}

export function dataset(overrides: Partial<Dataset> = {}): Dataset {
  const current = overrides.currentVersion ?? version();
  return {
    id: 'd1', name: 'chats', description: null, license: { spdx: 'Apache-2.0', sourceUrl: null, commercialUse: null },
    createdAt: '2026-01-02T10:00:00.000Z', currentVersion: current, versions: [current], ...overrides,
  };
}

export function record(idx: number, overrides: Partial<StoredRecord> = {}): StoredRecord {
  return {
    idx, messages: [{ role: 'user', content: `question ${idx}` }, { role: 'assistant', content: `answer ${idx}` }],
    sourceFile: '/tmp/x/train.jsonl', sourceRow: idx + 1, source: null, ...overrides,
  };
}

export const OPS: OperatorInfo[] = [
  {
    name: 'exact_dedup', title: 'Exact duplicates', description: 'Removes records whose text is identical to an earlier one.', group: 'dedup',
    defaults: { normalize: true }, needs: [],
    schema: { type: 'object', properties: { normalize: { type: 'boolean', default: true, description: 'Ignore case and spacing.' } } },
  },
  {
    name: 'pii_redact', title: 'Redact personal data', description: 'Replaces emails and phone numbers with placeholders.', group: 'pii',
    defaults: { kinds: ['email', 'phone'], action: 'redact' }, needs: [],
    schema: {
      type: 'object',
      properties: {
        kinds: { type: 'array', items: { type: 'string' }, default: ['email', 'phone'] },
        action: { type: 'string', enum: ['redact', 'remove'], default: 'redact' },
      },
    },
  },
  {
    name: 'length_limits', title: 'Length limits', description: 'Drops records that are too short or too long.', group: 'filter',
    defaults: { minChars: 1, maxChars: null }, needs: [],
    schema: {
      type: 'object',
      properties: {
        minChars: { type: 'integer', minimum: 0, default: 1 },
        maxChars: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }], default: null },
      },
    },
  },
];

const hist = (edges: number[], counts: number[], median: number): Histogram => ({
  edges, counts, total: counts.reduce((s, c) => s + c, 0), min: edges[0], max: edges[edges.length - 1], mean: median * 1.2, median,
});

/** A small analysis of 10 records: 8 English, 2 French; 3 verbs; 2 topics. */
export function analysis(overrides: Partial<DatasetAnalysis> = {}): DatasetAnalysis {
  return {
    records: 10, withSystem: 2,
    turns: hist([0, 1, 2, 3], [0, 8, 2], 1),
    promptChars: hist([0, 1, 2, 5, 10, 20, 50, 100], [0, 0, 0, 1, 3, 4, 2], 22),
    answerChars: hist([0, 1, 2, 5, 10, 20, 50, 100, 200], [0, 0, 0, 0, 1, 2, 5, 2], 60),
    tokens: null,
    languages: [{ language: 'en', count: 8 }, { language: 'fr', count: 2 }],
    verbs: {
      sampled: 10, english: 8, withVerb: 6,
      top: [
        { verb: 'write', count: 3, objects: [{ noun: 'poem', count: 2 }, { noun: 'email', count: 1 }] },
        { verb: 'explain', count: 2, objects: [{ noun: 'concept', count: 2 }] },
        { verb: 'list', count: 1, objects: [] },
      ],
    },
    topics: {
      sampled: 10, k: 2,
      clusters: [
        { size: 6, terms: ['poem', 'write', 'love'], examples: ['Write a poem about love.', 'Write a short poem.'] },
        { size: 4, terms: ['capital', 'france'], examples: ['Capital of France?'] },
      ],
    },
    complexity: {
      promptWordsMean: 7.5, promptWordsMedian: 6, turnsMean: 1.2, constrainedFraction: 0.3,
      cues: { obligation: 1, limit: 0, length: 2, format: 1, negation: 0, list: 0 },
    },
    ...overrides,
  };
}
