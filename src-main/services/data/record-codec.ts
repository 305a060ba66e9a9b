// Stored record rows ↔ the records operators and the API see (JSON columns parsed, absent fields left out).
import type { StoredRecord } from '../../common/datasets';
import type { Conversation } from '../../data/formats';
import type { DataRecord } from '../../data/ops/operator';
import type { DatasetsRepo, RecordRow } from '../../store';

export function rowToRecord(row: RecordRow): DataRecord {
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

/** Streams a whole version in idx order (memory holds one DuckDB chunk). */
export async function* versionRecords(repo: DatasetsRepo, versionId: string): AsyncGenerator<DataRecord> {
  for await (const rows of repo.streamRecords(versionId)) for (const row of rows) yield rowToRecord(row);
}
