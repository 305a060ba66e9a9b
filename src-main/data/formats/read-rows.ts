// Reads the rows of a .jsonl (streamed line by line) or .json (an array) data file, each with its 1-based line number.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
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

/** JSON Lines: one row per non-blank line; memory holds one line at a time. */
async function* readJsonLines(file: string, hint = ''): AsyncGenerator<SourceRow> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line += 1;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw parseError(file, text, err, line, hint);
    }
    yield { line, row: asRow(file, line, value) };
  }
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
async function* readJsonArray(file: string, text: string): AsyncGenerator<SourceRow> {
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
    yield { line, row: asRow(file, line, value[i]) };
  }
}

/**
 * Yields every row of FILE. `.jsonl`/`.ndjson` are JSON Lines; `.json` is an array of rows, or JSON Lines when it
 * does not start with `[` (many datasets named .json are JSON Lines).
 */
export async function* readRows(file: string): AsyncGenerator<SourceRow> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`${file}: cannot read the data file (${err.code === 'ENOENT' ? 'no such file' : err.message})`, { file });
  });
  if (!info.isFile()) throw new DataError(`${file}: is not a file`, { file });
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    yield* readJsonLines(file);
    return;
  }
  if (ext !== '.json') throw new DataError(`${file}: unsupported data file type "${ext || '(none)'}"; expected .jsonl or .json`, { file });
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('[')) yield* readJsonArray(file, text);
  else yield* readJsonLines(file, ' (a .json data file holds an array of rows, or one JSON object per line)');
}
