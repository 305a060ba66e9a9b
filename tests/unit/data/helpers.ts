// Temporary data files for the data tests: rows written as JSON Lines, or raw text when a test needs broken JSON.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-data-'));
let counter = 0;

/** Writes TEXT to a fresh file named NAME (its extension picks the reader) and returns the path. */
export function writeText(name: string, text: string): string {
  const file = join(dir, `${++counter}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** Writes ROWS as JSON Lines. */
export function writeJsonl(rows: unknown[], name = 'data.jsonl'): string {
  return writeText(name, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/** Collects an async iterable (rows of a dataset) into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
