// Reads the rows of a .jsonl (streamed line by line) or .json (an array) data file, each with its 1-based line number.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DataError, jsonType } from './errors';
import type { JsonObject } from './conversation';

export interface SourceRow { line: number; row: JsonObject }

const SNIPPET_CHARS = 40;

/**
 * Where JSON.parse failed, as an offset into `text`. V8 names a position for most errors but not for
 * "Unexpected token 'x', "…" is not valid JSON"; then the shortest failing prefix is found by bisection
 * (a prefix that is only cut short fails with "Unexpected end" or at its own end, a broken one fails earlier).
 */
function errorOffset(text: string, message: string): number {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (/Unexpected end/.test(message)) return text.length;
  const brokenWithin = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (err) {
      const m = (err as Error).message;
      const p = /position (\d+)/.exec(m);
      return p ? Number(p[1]) < k : !/Unexpected end/.test(m);
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (brokenWithin(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function parseError(file: string, text: string, err: unknown, lineBase: number, hint = ''): DataError {
  const message = (err as Error).message;
  const offset = Math.min(errorOffset(text, message), text.length);
  const before = text.slice(0, offset);
  const line = lineBase + (before.match(/\n/g)?.length ?? 0);
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset);
  const from = Math.max(lineStart, offset - SNIPPET_CHARS);
  const to = Math.min(lineEnd, offset + SNIPPET_CHARS);
  const snippet = `${from > lineStart ? '…' : ''}${text.slice(from, to)}${to < lineEnd ? '…' : ''}`;
  const reason = message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  return new DataError(`${file} line ${line}, column ${column}: invalid JSON (${reason}) near: ${snippet}${hint}`, { file, line, column });
}

function asRow(file: string, line: number, value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw DataError.at(file, line, `a row must be a JSON object, got ${jsonType(value)}`);
  }
  return value as JsonObject;
}

/** What the caller wants told while rows are read: bad rows to skip (instead of throwing) and bytes read so far. */
export interface ReadOptions {
  /** Called with the problem of a row that cannot be read; the reader goes on with the next row. Absent: it throws. */
  onBadRow?: (problem: DataError) => void;
  /** Bytes of the file read so far (for progress), updated as the reader goes. */
  progress?: { bytes: number };
  /** Reads CSV/TSV/Parquet files (the store's DuckDB readers); without it those files are refused. */
  tableReader?: TableReader;
}

export type TableReader = (file: string, kind: 'csv' | 'tsv' | 'parquet') => AsyncIterable<Record<string, unknown>>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The 0-based offset of the first byte that breaks UTF-8's structure (a bad lead byte or a missing continuation). */
function firstBadUtf8Byte(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return 0; // structurally fine but rejected (overlong or surrogate): point at the line start
}

/** A line that is not UTF-8: say where the first bad byte is and what the file probably is. */
function notUtf8(file: string, line: number, bytes: Buffer): DataError {
  const offset = firstBadUtf8Byte(bytes);
  const column = offset + 1;
  const byte = bytes[offset]?.toString(16).toUpperCase().padStart(2, '0') ?? '??';
  return new DataError(`${file} line ${line}, column ${column}: the text is not valid UTF-8 (byte 0x${byte}); the file looks like another encoding (e.g. Latin-1 or Windows-1252): save it as UTF-8 and import again`, { file, line, column });
}

/**
 * JSON Lines: one row per non-blank line. Bytes are split on "\n" and each line decoded strictly, so a file in
 * another encoding is reported instead of silently turned into U+FFFD. Memory holds one read chunk at a time.
 */
async function* readJsonLines(file: string, options: ReadOptions, hint = ''): AsyncGenerator<SourceRow> {
  let line = 0;
  let carry: Buffer = Buffer.alloc(0);
  const fail = (err: DataError): void => {
    if (!options.onBadRow) throw err;
    options.onBadRow(err);
  };
  function* parseLine(bytes: Buffer): Generator<SourceRow> {
    line += 1;
    let text: string;
    try {
      text = utf8.decode(bytes[bytes.length - 1] === 13 ? bytes.subarray(0, bytes.length - 1) : bytes);
    } catch {
      fail(notUtf8(file, line, bytes));
      return;
    }
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      fail(parseError(file, text, err, line, hint));
      return;
    }
    try {
      yield { line, row: asRow(file, line, value) };
    } catch (err) {
      if (err instanceof DataError) fail(err);
      else throw err;
    }
  }
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    if (options.progress) options.progress.bytes += chunk.length;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      yield* parseLine(data.subarray(start, nl));
      start = nl + 1;
    }
    carry = Buffer.from(data.subarray(start)); // a copy, so the chunk it came from can be freed
  }
  if (carry.length > 0) yield* parseLine(carry);
}

/** Offsets of the top-level elements of a JSON array text that is known to be valid (so a simple scan suffices). */
function elementOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (expectElement && c !== ']') offsets.push(i);
    expectElement = false;
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return offsets;
}

/** A JSON array of rows. The whole file is parsed at once (fine up to a few hundred MB; stream it when that matters). */
async function* readJsonArray(file: string, text: string, options: ReadOptions): AsyncGenerator<SourceRow> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw parseError(file, text, err, 1);
  }
  if (!Array.isArray(value)) throw new DataError(`${file}: a .json data file must hold an array of rows, got ${jsonType(value)}`, { file });
  const offsets = elementOffsets(text);
  let line = 1;
  let scanned = 0;
  for (let i = 0; i < value.length; i++) {
    // Lines are counted incrementally, so mapping all rows costs one pass over the text.
    for (; scanned < offsets[i]; scanned++) if (text.charCodeAt(scanned) === 10) line++;
    let row: JsonObject;
    try {
      row = asRow(file, line, value[i]);
    } catch (err) {
      if (!(err instanceof DataError) || !options.onBadRow) throw err;
      options.onBadRow(err);
      continue;
    }
    yield { line, row };
  }
}

/** Columns of a CSV/Parquet row that hold JSON (a conversation written into one cell). */
const JSON_COLUMNS = new Set(['messages', 'conversations', 'tools', 'history']);

/** CSV/TSV (header row = line 1) and Parquet (row 1 = first row) through the injected DuckDB reader. */
async function* readTable(file: string, kind: 'csv' | 'tsv' | 'parquet', options: ReadOptions, size: number): AsyncGenerator<SourceRow> {
  if (!options.tableReader) throw new DataError(`${file}: ${kind} files are read by the app's database engine, which this command does not load`, { file });
  let line = kind === 'parquet' ? 0 : 1;
  for await (const raw of options.tableReader(file, kind)) {
    line += 1;
    const row: JsonObject = {};
    let bad: DataError | null = null;
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === 'string' && JSON_COLUMNS.has(key) && /^\s*[[{]/.test(value)) {
        try {
          row[key] = JSON.parse(value);
        } catch (err) {
          bad = DataError.at(file, line, `field "${key}" holds text that is not valid JSON (${(err as Error).message.slice(0, 80)})`, { field: key });
          break;
        }
      } else row[key] = value;
    }
    if (bad) {
      if (!options.onBadRow) throw bad;
      options.onBadRow(bad);
      continue;
    }
    yield { line, row };
  }
  if (options.progress) options.progress.bytes += size;
}

const TABLE_TYPES: Record<string, 'csv' | 'tsv' | 'parquet'> = { '.csv': 'csv', '.tsv': 'tsv', '.parquet': 'parquet' };
export const DATA_FILE_EXTENSIONS = ['.jsonl', '.ndjson', '.json', '.csv', '.tsv', '.parquet'];

/**
 * Yields every row of FILE. `.jsonl`/`.ndjson` are JSON Lines; `.json` is an array of rows, or JSON Lines when it
 * does not start with `[` (many datasets named .json are JSON Lines); `.csv`/`.tsv`/`.parquet` need a table reader.
 */
export async function* readRows(file: string, options: ReadOptions = {}): AsyncGenerator<SourceRow> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`${file}: cannot read the data file (${err.code === 'ENOENT' ? 'no such file' : err.message})`, { file });
  });
  if (!info.isFile()) throw new DataError(`${file}: is not a file`, { file });
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    yield* readJsonLines(file, options);
    return;
  }
  if (TABLE_TYPES[ext]) {
    yield* readTable(file, TABLE_TYPES[ext], options, info.size);
    return;
  }
  if (ext !== '.json') throw new DataError(`${file}: unsupported data file type "${ext || '(none)'}"; expected ${DATA_FILE_EXTENSIONS.join(', ')}`, { file });
  const bytes = await readFile(file);
  let text: string;
  try {
    text = utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    const lines = bytes.toString('latin1').split('\n');
    const bad = lines.findIndex((l) => { try { utf8.decode(Buffer.from(l, 'latin1')); return false; } catch { return true; } });
    throw notUtf8(file, bad + 1, Buffer.from(lines[bad] ?? '', 'latin1'));
  }
  if (text.trimStart().startsWith('[')) {
    if (options.progress) options.progress.bytes += bytes.length;
    yield* readJsonArray(file, text, options);
  } else yield* readJsonLines(file, options, ' (a .json data file holds an array of rows, or one JSON object per line)');
}
