// The DuckDB connection: opening (with migrations and version checks), queries, and serialized transactions.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { loadMigrations, splitStatements, type Migration } from './migrate';
import { isDiskFull, StoreDiskFullError, StoreOpenError } from './store-error';

export type SqlParam = string | number | boolean | null;
export type Row = Record<string, unknown>;

/** BIGINT columns come back as bigint; everything we store fits a double, and JSON cannot carry bigint. */
function normalizeRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = typeof value === 'bigint' ? Number(value) : value;
  return out;
}

/** What DuckDB says when a file is not a readable database: garbage, bad checksums (file or WAL), or truncated. */
const corruptOpenMessage = /not a valid DuckDB database|Corrupt|checksum|serializ|Invalid|storage version|Could not read enough bytes/i;

export class Database {
  /** One operation at a time on the single connection, so a transaction is never interleaved with another call. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly schemaVersion: number,
  ) {}

  /** Opens (creating if absent) and migrates the file. Throws StoreOpenError for a corrupt or too-new file. */
  static async open(path: string, migrations: Migration[] = loadMigrations()): Promise<Database> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Match DuckDB's words only: the message quotes the path, which may itself hold 'invalid' or 'corrupt'.
      if (corruptOpenMessage.test(message.split(path).join('')) && existsSync(path)) {
        throw new StoreOpenError('corrupt', path, `The database file ${path} cannot be read (${message}).`);
      }
      throw err;
    }
    const conn = await instance.connect();
    try {
      const version = await migrate(conn, migrations, path);
      return new Database(path, instance, conn, version);
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  /**
   * A disk-full failure as StoreDiskFullError naming the data folder (DuckDB's own message names only the file it
   * could not write, after "Failed to append:" or "Failed to commit:"); any other error as it is.
   */
  private storeError(err: unknown): unknown {
    if (err instanceof StoreDiskFullError || !isDiskFull(err)) return err;
    const message = (err as Error).message;
    const at = message.indexOf('Could not');
    return new StoreDiskFullError(dirname(resolve(this.path)), at >= 0 ? message.slice(at) : message, { cause: err });
  }

  /** Runs WORK, turning a disk-full failure into StoreDiskFullError. */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw this.storeError(err);
    }
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const guarded = () => this.guarded(work);
    const next = this.queue.then(guarded, guarded);
    this.queue = next.catch(() => undefined);
    return next;
  }

  run(sql: string, params: SqlParam[] = []): Promise<void> {
    return this.enqueue(async () => {
      await this.conn.run(sql, params as DuckDBValue[]);
    });
  }

  all<T extends Row = Row>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    return this.enqueue(async () => {
      const reader = await this.conn.runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjectsJS().map((r) => normalizeRow(r as Record<string, unknown>) as T);
    });
  }

  async one<T extends Row = Row>(sql: string, params: SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /**
   * Appends ROWS to TABLE through DuckDB's appender (an order of magnitude faster than INSERTs). KINDS gives each
   * column's type in table order; null appends NULL. One call is one queued operation, so callers append in batches.
   */
  append(table: string, kinds: readonly ColumnKind[], rows: readonly (readonly SqlParam[])[]): Promise<void> {
    return this.enqueue(async () => {
      await appendRows(this.conn, table, kinds, rows);
    });
  }

  /**
   * Streams the rows of a query on a connection of its own, a DuckDB chunk (~2k rows) at a time, so a long read (a
   * whole dataset version) neither holds the queue nor costs one query per page. It sees the data as of its start.
   */
  async *stream(sql: string, params: SqlParam[] = []): AsyncGenerator<Row[]> {
    const conn = await this.instance.connect();
    try {
      const result = await conn.stream(sql, params as DuckDBValue[]);
      for await (const rows of result.yieldRowObjectJs()) yield rows.map((r) => normalizeRow(r as Record<string, unknown>));
    } finally {
      conn.closeSync();
    }
  }

  /**
   * A bulk writer: its own connection inside one transaction, for writes too large for one queued call (an import).
   * Nothing it wrote is visible or durable before `commit`; a crash or `rollback` leaves no trace of it.
   */
  async bulkWriter(): Promise<BulkWriter> {
    const conn = await this.instance.connect();
    await conn.run('BEGIN TRANSACTION');
    let open = true;
    const close = () => {
      open = false;
      conn.closeSync();
    };
    // After a failed write DuckDB answers every later statement with "Current transaction is aborted (please
    // ROLLBACK)": the first failure is kept and thrown again instead, since it is the one that says why.
    let failure: unknown = null;
    const write = async (work: () => Promise<void>): Promise<void> => {
      if (failure !== null) throw failure;
      try {
        await this.guarded(work);
      } catch (err) {
        failure = err;
        throw err;
      }
    };
    return {
      append: (table, kinds, rows) => write(() => appendRows(conn, table, kinds, rows)),
      run: (sql, params = []) => write(async () => { await conn.run(sql, params as DuckDBValue[]); }),
      commit: async () => {
        try {
          await write(async () => { await conn.run('COMMIT'); });
        } finally {
          close();
        }
      },
      rollback: async () => {
        if (!open) return;
        try {
          await conn.run('ROLLBACK');
        } catch {
          // already rolled back by a failed statement
        } finally {
          close();
        }
      },
    };
  }

  /** Runs `fn` inside BEGIN/COMMIT; any throw rolls back, so a half-done change never lands. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      await this.conn.run('BEGIN TRANSACTION');
      const tx: Transaction = {
        run: async (sql, params = []) => { await this.conn.run(sql, params as DuckDBValue[]); },
        all: async (sql, params = []) => (await this.conn.runAndReadAll(sql, params as DuckDBValue[]))
          .getRowObjectsJS().map((r) => normalizeRow(r as Record<string, unknown>)),
      };
      try {
        const result = await fn(tx);
        await this.conn.run('COMMIT');
        return result;
      } catch (err) {
        await this.conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.enqueue(async () => {
      this.conn.closeSync();
      this.instance.closeSync();
    });
  }
}

export interface BulkWriter {
  append(table: string, kinds: readonly ColumnKind[], rows: readonly (readonly SqlParam[])[]): Promise<void>;
  run(sql: string, params?: SqlParam[]): Promise<void>;
  commit(): Promise<void>;
  /** Safe to call after commit or twice: only an open transaction is rolled back. */
  rollback(): Promise<void>;
}

export type ColumnKind = 'text' | 'bigint' | 'int' | 'double' | 'bool';

async function appendRows(conn: DuckDBConnection, table: string, kinds: readonly ColumnKind[], rows: readonly (readonly SqlParam[])[]): Promise<void> {
  const appender = await conn.createAppender(table);
  try {
    for (const row of rows) {
      for (let c = 0; c < kinds.length; c++) appendCell(appender, kinds[c], row[c]);
      appender.endRow();
    }
    appender.flushSync();
  } catch (err) {
    // Closing flushes again, and after a failed flush DuckDB says only "Failed to append: Current transaction is
    // aborted (please ROLLBACK)": that must not replace the flush's own error (e.g. "No space left on device").
    try {
      appender.closeSync();
    } catch {
      // the error above says why
    }
    throw err;
  }
  appender.closeSync();
}

function appendCell(appender: DuckDBAppender, kind: ColumnKind, value: SqlParam | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else if (kind === 'text') appender.appendVarchar(String(value));
  else if (kind === 'bigint') appender.appendBigInt(BigInt(value as number));
  else if (kind === 'int') appender.appendInteger(Number(value));
  else if (kind === 'double') appender.appendDouble(Number(value));
  else appender.appendBoolean(Boolean(value));
}

export interface Transaction {
  run(sql: string, params?: SqlParam[]): Promise<void>;
  all(sql: string, params?: SqlParam[]): Promise<Row[]>;
}

async function migrate(conn: DuckDBConnection, migrations: Migration[], path: string): Promise<number> {
  await conn.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
  const rows = (await conn.runAndReadAll('SELECT max(version) AS v FROM schema_version')).getRowObjectsJS();
  const current = rows[0]?.v == null ? 0 : Number(rows[0].v);
  const supported = migrations.length;
  if (current > supported) {
    throw new StoreOpenError('newer-schema', path,
      `The database ${path} was written by a newer Finetune Studio (schema ${current}; this version knows up to ${supported}). Update the app, or move the file aside to start fresh.`, current);
  }
  for (const m of migrations.slice(current)) {
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const statement of splitStatements(m.sql)) await conn.run(statement);
      await conn.run('INSERT INTO schema_version VALUES ($1, $2)', [m.version, new Date().toISOString()]);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new Error(`Migration ${m.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return Math.max(current, supported);
}

/** Renames the database file (and its write-ahead log) aside; returns the new name. Never deletes or overwrites anything. */
export function moveAside(path: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let target = `${path}.moved-${stamp}`;
  // renameSync replaces an existing target silently: pick a name nothing holds yet (a second move in the same millisecond).
  for (let n = 2; existsSync(target) || existsSync(`${target}.wal`); n++) target = `${path}.moved-${stamp}-${n}`;
  renameSync(path, target);
  if (existsSync(`${path}.wal`)) renameSync(`${path}.wal`, `${target}.wal`);
  return target;
}
