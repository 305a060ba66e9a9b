// Plain-text rows `{text}` for continued pre-training: every token is trained, an EOS is appended at tokenization.
import { requireString, type JsonObject, type RowFormat } from './conversation';

export function detect(row: JsonObject): boolean {
  return 'text' in row;
}

export function toText(row: JsonObject): string {
  return requireString(row.text, 'text');
}

export const textFormat: RowFormat = {
  name: 'text',
  detect,
  parse: (row) => ({ kind: 'text', text: toText(row) }),
};
