// Short text views of a stored record for the table and lists: first user / assistant turn, source location.
import type { ConversationDto, StoredRecord } from '../../../../src-main/common/datasets';

export function firstTurn(record: ConversationDto, role: 'user' | 'assistant'): string {
  return record.messages.find((m) => m.role === role)?.content ?? '';
}

/** One line, at most `max` characters, with an ellipsis when cut. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "train.jsonl:12" (file name without its folder), or "—" when the record has no source. */
export function sourceOf(record: Pick<StoredRecord, 'sourceFile' | 'sourceRow'>): string {
  if (!record.sourceFile) return '—';
  const base = record.sourceFile.split(/[/\\]/).pop() ?? record.sourceFile;
  return record.sourceRow === null ? base : `${base}:${record.sourceRow}`;
}
