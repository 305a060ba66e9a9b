// Sample data-API values for renderer tests: datasets, versions, stored records, operators and a fake data back end.
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
