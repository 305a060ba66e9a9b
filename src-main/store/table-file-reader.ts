// Reads the rows of CSV/TSV and Parquet files with DuckDB's own readers (fast, streaming, well kept), for the importer.
// A private in-memory instance, so reading a user's file never touches the app's database.
import { DuckDBInstance } from '@duckdb/node-api';

export type TableFileKind = 'csv' | 'tsv' | 'parquet';

function toJs(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJs);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJs(v);
    return out;
  }
  return value;
}

/** SQL string literal for a path (DuckDB table functions take no bound parameters for the file name). */
function literal(path: string): string {
  return `'${path.replace(/'/g, "''")}'`;
}

/**
 * Yields the rows of FILE as objects (column → value), in file order, one DuckDB chunk (~2k rows) at a time.
 * CSV columns are read as text (no type guessing: "00123" stays "00123"); Parquet keeps its types (lists and structs
 * become arrays and objects).
 */
export async function* readTableFile(file: string, kind: TableFileKind): AsyncGenerator<Record<string, unknown>> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const source = kind === 'parquet'
      ? `read_parquet(${literal(file)})`
      : `read_csv(${literal(file)}, header = true, all_varchar = true${kind === 'tsv' ? ", delim = '\\t'" : ''}, strict_mode = false)`;
    const result = await conn.stream(`SELECT * FROM ${source}`);
    for await (const rows of result.yieldRowObjectJs()) {
      for (const row of rows) yield toJs(row) as Record<string, unknown>;
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
