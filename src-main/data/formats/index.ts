// Data-file formats: the registry, auto-detection over the first rows, and a parsed-row stream for tokenization.
import { ApiError } from '../../common/errors';
import { DataError, FieldError } from './errors';
import { readRows, type ReadOptions, type SourceRow } from './read-rows';
import { alpacaFormat } from './alpaca';
import { sharegptFormat } from './sharegpt';
import { openaiFormat } from './openai';
import { textFormat } from './text';
import { tokensFormat } from './tokens';
import type { FormatName, JsonObject, ParsedRow, RowFormat } from './conversation';

export type { Conversation, FormatName, JsonObject, Message, ParsedRow, Role, RowFormat } from './conversation';
export { DataError, FieldError } from './errors';
export { DATA_FILE_EXTENSIONS, readRows, type ReadOptions, type SourceRow, type TableReader } from './read-rows';
export { ALPACA_INPUT_SEPARATOR } from './alpaca';
export { SHAREGPT_ROLES } from './sharegpt';

export type FormatOption = FormatName | 'auto';

/** Detection order matters when a row has several key fields: the most specific format wins. */
export const FORMATS: readonly RowFormat[] = [tokensFormat, openaiFormat, sharegptFormat, alpacaFormat, textFormat];
export const FORMAT_NAMES: readonly FormatName[] = FORMATS.map((f) => f.name);
const KEY_FIELDS: Record<FormatName, string> = {
  tokens: '"input_ids"', openai: '"messages"', sharegpt: '"conversations"', alpaca: '"instruction" + "output"', text: '"text"',
};

/** How many leading rows auto-detection looks at; they must all agree. Later rows must parse as the chosen format. */
export const DETECT_ROWS = 32;

export function formatByName(name: FormatName): RowFormat {
  const format = FORMATS.find((f) => f.name === name);
  if (!format) throw new ApiError('invalid-input', `Unknown data format "${name}"; expected auto or one of ${FORMAT_NAMES.join(', ')}.`);
  return format;
}

/** The format of one row, or null when it carries none of the key fields. */
export function detectRowFormat(row: JsonObject): FormatName | null {
  return FORMATS.find((f) => f.detect(row))?.name ?? null;
}

function undetectable(file: string, line: number, row: JsonObject): DataError {
  const keys = Object.keys(row).slice(0, 8).join(', ') || 'none';
  const expected = FORMATS.map((f) => `${KEY_FIELDS[f.name]} (${f.name})`).join(', ');
  return DataError.at(file, line, `cannot tell the format of this row (its fields: ${keys}); expected one of ${expected}, or map your columns to them (e.g. --map instruction=question,output=answer) or choose one with --format`, { field: keys });
}

/** Parses one row with FORMAT, turning a FieldError into a DataError that names file and line. */
export function parseRow(format: RowFormat, row: JsonObject, file: string, line: number): ParsedRow {
  try {
    return format.parse(row);
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    const missing = /^is missing/.test(err.problem) && format.name !== 'text' ? ` (${format.name} rows need ${KEY_FIELDS[format.name]})` : '';
    throw DataError.at(file, line, `${err.message}${missing}`, { field: err.field });
  }
}

/** `scores`: the row's top-level numeric fields (a rating, a reward, a quality score) — kept so a recipe can filter on them. */
export interface ParsedSourceRow { line: number; parsed: ParsedRow; scores?: Record<string, number> }

/** Fields a format reads; every other top-level finite number of a row is a score. */
const FORMAT_FIELDS = new Set(['instruction', 'input', 'output', 'system', 'history', 'messages', 'conversations', 'tools', 'text', 'input_ids', 'labels', 'idx', 'id']);

function numericFields(row: JsonObject): Record<string, number> | undefined {
  let out: Record<string, number> | undefined;
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'number' && Number.isFinite(value) && !FORMAT_FIELDS.has(key)) (out ??= {})[key] = value;
  }
  return out;
}
export interface OpenedDataset { file: string; format: FormatName; rows: AsyncGenerator<ParsedSourceRow> }

/**
 * Opens FILE, settles its format (given, or detected from the first DETECT_ROWS rows, which must agree) and returns
 * a stream of parsed rows. Errors (empty file, mixed formats, a bad row) name the file and the line.
 */
export async function openDataset(file: string, format: FormatOption = 'auto', options: ReadOptions & { columns?: ColumnMap } = {}): Promise<OpenedDataset> {
  if (format !== 'auto') formatByName(format);
  const source = options.columns && Object.keys(options.columns).length > 0 ? renamed(readRows(file, options), options.columns) : readRows(file, options);
  const head: SourceRow[] = [];
  let chosen: RowFormat;
  try {
    while (head.length < DETECT_ROWS) {
      const next = await source.next();
      if (next.done) break;
      head.push(next.value);
    }
    if (head.length === 0) throw new DataError(`${file}: the file has no rows (it is empty or holds only blank lines)`, { file });
    chosen = formatByName(format === 'auto' ? detectFormat(file, head) : format);
  } catch (err) {
    await source.return(undefined); // closes the file stream
    throw err;
  }
  /** A row that does not parse as the chosen format: thrown, or handed to onBadRow and skipped. */
  function parsed(line: number, row: JsonObject): ParsedSourceRow | null {
    try {
      const scores = numericFields(row);
      return { line, parsed: parseRow(chosen, row, file, line), ...(scores ? { scores } : {}) };
    } catch (err) {
      if (!(err instanceof DataError) || !options.onBadRow) throw err;
      options.onBadRow(err);
      return null;
    }
  }
  async function* rows(): AsyncGenerator<ParsedSourceRow> {
    try {
      for (const { line, row } of head) {
        const one = parsed(line, row);
        if (one) yield one;
      }
      for await (const { line, row } of source) {
        const one = parsed(line, row);
        if (one) yield one;
      }
    } finally {
      await source.return(undefined);
    }
  }
  return { file, format: chosen.name, rows: rows() };
}

/** Which column of the file holds each field a format reads, e.g. {instruction: "question", output: "answer"}. */
export type ColumnMap = Record<string, string>;

/** Renames columns to the field names the formats read (the column-mapping step for files named their own way). */
async function* renamed(rows: AsyncGenerator<SourceRow>, columns: ColumnMap): AsyncGenerator<SourceRow> {
  try {
    for await (const { line, row } of rows) {
      const out: JsonObject = { ...row };
      for (const [field, column] of Object.entries(columns)) {
        if (!(column in row)) continue; // reported by the format parser as a missing field, with the file and line
        delete out[column];
        out[field] = row[column];
      }
      yield { line, row: out };
    }
  } finally {
    await rows.return(undefined);
  }
}

/** The format all of HEAD's rows agree on; a row with no known key field or a different format is an error. */
function detectFormat(file: string, head: SourceRow[]): FormatName {
  const first = head[0];
  const name = detectRowFormat(first.row);
  if (name === null) throw undetectable(file, first.line, first.row);
  for (const { line, row } of head.slice(1)) {
    const other = detectRowFormat(row);
    if (other === null) throw undetectable(file, line, row);
    if (other !== name) {
      throw DataError.at(file, line, `this row looks like ${other} but line ${first.line} looks like ${name}: one file must hold one format (or choose one with --format)`);
    }
  }
  return name;
}
