// A canonical conversation as one row of an export format: OpenAI messages, Alpaca (multi-turn via `history`) or
// ShareGPT. A record a format cannot hold is an error naming the record, never a silent drop.
import { DataError } from '../formats';
import type { ExportFormat } from '../../common/datasets';
import type { DataRecord } from '../ops/operator';

type Row = Record<string, unknown>;

function toOpenai(r: DataRecord): Row {
  const messages = [...(r.system !== undefined ? [{ role: 'system', content: r.system }] : []), ...r.messages.map((m) => ({ role: m.role, content: m.content }))];
  return { messages, ...(r.tools ? { tools: r.tools } : {}) };
}

const SHAREGPT_FROM = { user: 'human', assistant: 'gpt', tool: 'observation' } as const;

function toSharegpt(r: DataRecord): Row {
  return {
    conversations: r.messages.map((m) => ({ from: SHAREGPT_FROM[m.role], value: m.content })),
    ...(r.system !== undefined ? { system: r.system } : {}),
    ...(r.tools ? { tools: JSON.stringify(r.tools) } : {}),
  };
}

/** Alpaca holds user/assistant pairs only: the last pair is instruction/output, earlier pairs go to `history`. */
function toAlpaca(r: DataRecord, file: string): Row {
  const m = r.messages;
  const pairs = m.length % 2 === 0 && m.every((msg, i) => msg.role === (i % 2 === 0 ? 'user' : 'assistant'));
  if (!pairs || r.tools) {
    throw new DataError(`${file}: record #${r.idx} cannot be written as Alpaca (it has ${r.tools ? 'tools' : 'turns that are not user/assistant pairs'}); export as openai or sharegpt instead`, { file });
  }
  const history: [string, string][] = [];
  for (let i = 0; i + 2 < m.length; i += 2) history.push([m[i].content, m[i + 1].content]);
  return {
    instruction: m[m.length - 2].content,
    input: '',
    output: m[m.length - 1].content,
    ...(r.system !== undefined ? { system: r.system } : {}),
    ...(history.length > 0 ? { history } : {}),
  };
}

export function toExportRow(record: DataRecord, format: ExportFormat, file: string): Row {
  if (format === 'openai') return toOpenai(record);
  if (format === 'sharegpt') return toSharegpt(record);
  return toAlpaca(record, file);
}
