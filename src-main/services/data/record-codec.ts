// Stored record rows ↔ the records operators and the API see (JSON columns parsed, absent fields left out).
import type { StoredRecord } from '../../common/datasets';
import type { Conversation } from '../../data/formats';
import type { DataRecord } from '../../data/ops/operator';
import type { DatasetsRepo, RecordRow } from '../../store';

export function rowToRecord(row: Pick<RecordRow, 'idx' | 'messages' | 'system' | 'tools'>): DataRecord {
  const tools = row.tools ? (JSON.parse(row.tools) as unknown[]) : undefined;
  return {
    idx: row.idx,
    messages: JSON.parse(row.messages) as DataRecord['messages'],
    ...(row.system !== null ? { system: row.system } : {}),
    ...(tools ? { tools } : {}),
  };
}

export function rowToStored(row: RecordRow): StoredRecord {
  return { ...rowToRecord(row), sourceFile: row.sourceFile, sourceRow: row.sourceRow, source: row.source };
}

export function conversationJson(c: Conversation): string {
  return JSON.stringify({ messages: c.messages, ...(c.system !== undefined ? { system: c.system } : {}), ...(c.tools ? { tools: c.tools } : {}) });
}

export function parseConversation(json: string): Conversation {
  return JSON.parse(json) as Conversation;
}

/**
 * Scores that apply to a version's records: its own, else those of its nearest ancestor that has them (a clean
 * version keeps the idx of its parent's records, so a record scored before a clean keeps its score after).
 */
export async function lineageScores(repo: DatasetsRepo, versionId: string): Promise<Map<number, Record<string, number>>> {
  const chain: string[] = [];
  for (let id: string | null = versionId; id; id = (await repo.version(id))?.parentVersionId ?? null) chain.push(id);
  const merged = new Map<number, Record<string, number>>();
  for (const id of chain.reverse()) {
    for (const [idx, scores] of await repo.scores(id)) merged.set(idx, { ...merged.get(idx), ...scores });
  }
  return merged;
}

/** Streams a whole version in idx order (memory holds one DuckDB chunk, plus the scores map when asked for). */
export async function* versionRecords(repo: DatasetsRepo, versionId: string, options: { withScores?: boolean } = {}): AsyncGenerator<DataRecord> {
  const scores = options.withScores ? await lineageScores(repo, versionId) : null;
  for await (const rows of repo.streamConversations(versionId)) {
    for (const row of rows) {
      const record = rowToRecord(row);
      const own = scores?.get(record.idx);
      yield own ? { ...record, scores: own } : record;
    }
  }
}
