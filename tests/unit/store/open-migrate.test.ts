// Opening a fresh or existing file, applying numbered migrations exactly once, and the migration loader's rules.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../../src-main/store/database';
import { openStore, SUPPORTED_SCHEMA_VERSION } from '../../../src-main/store/index';
import { loadMigrations, splitStatements } from '../../../src-main/store/migrate';
import { tempDirs } from './helpers';

const dirs = tempDirs('ftstudio-open-');
afterEach(() => dirs.cleanup());

const allTables = ['dataset_analyses', 'dataset_files', 'dataset_versions', 'datasets', 'job_events', 'jobs', 'models', 'record_changes', 'record_scores', 'records', 'run_events', 'run_metrics', 'runs', 'schema_version'];

async function tableNames(db: Database): Promise<string[]> {
  const rows = await db.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1");
  return rows.map((r) => r.name);
}

describe('openStore on a fresh path', () => {
  it('creates the file (and missing folders), applies 001 and reports the supported version', async () => {
    const path = join(dirs.make(), 'nested', 'deeper', 'studio.duckdb');
    expect(existsSync(path)).toBe(false);
    const store = await openStore(path);
    try {
      expect(existsSync(path)).toBe(true);
      expect(store.db.path).toBe(path);
      expect(store.db.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
      expect(SUPPORTED_SCHEMA_VERSION).toBe(loadMigrations().length);
      expect(await tableNames(store.db)).toEqual(allTables);
      const versions = await store.db.all<{ version: number; applied_at: string }>('SELECT * FROM schema_version');
      expect(versions.map((v) => v.version)).toEqual(loadMigrations().map((m) => m.version));
      expect(Number.isNaN(Date.parse(versions[0].applied_at))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('does not reapply migrations on reopen, and keeps the data', async () => {
    const path = join(dirs.make(), 'studio.duckdb');
    const first = await openStore(path);
    const applied = await first.db.all('SELECT version, applied_at FROM schema_version ORDER BY version');
    await first.db.run("INSERT INTO models VALUES ('m1', 'tiny', '/models/tiny', 'LlamaForCausalLM', NULL, '2025-01-01T00:00:00Z')");
    await first.close();

    const second = await openStore(path);
    try {
      expect(second.db.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
      expect(await second.db.all('SELECT version, applied_at FROM schema_version ORDER BY version')).toEqual(applied);
      expect(await second.db.all('SELECT id, name FROM models')).toEqual([{ id: 'm1', name: 'tiny' }]);
      expect(await tableNames(second.db)).toEqual(allTables);
    } finally {
      await second.close();
    }
  });

  it('applies a later migration once, and rolls a failing one back whole', async () => {
    const path = join(dirs.make(), 'studio.duckdb');
    const base = loadMigrations();
    const good = { version: base.length + 1, name: `${String(base.length + 1).padStart(3, '0')}-notes.sql`, sql: 'CREATE TABLE notes (id TEXT PRIMARY KEY);\nALTER TABLE models ADD COLUMN note TEXT;' };
    const bad = { version: base.length + 2, name: `${String(base.length + 2).padStart(3, '0')}-broken.sql`, sql: 'CREATE TABLE half_done (id TEXT);\nINSERT INTO no_such_table VALUES (1);' };

    const db = await Database.open(path, [...base, good]);
    expect(db.schemaVersion).toBe(base.length + 1);
    await db.close();

    await expect(Database.open(path, [...base, good, bad])).rejects.toThrow(new RegExp(`Migration ${bad.name.replace('.', '\\.')} failed: .*no_such_table`));

    const reopened = await Database.open(path, [...base, good]);
    try {
      expect(reopened.schemaVersion).toBe(base.length + 1);
      expect((await reopened.all('SELECT version FROM schema_version ORDER BY version')).map((r) => r.version)).toEqual([...base.map((m) => m.version), base.length + 1]);
      const names = await tableNames(reopened);
      expect(names).toContain('notes');
      expect(names).not.toContain('half_done'); // the DDL of the failed migration was rolled back with it
    } finally {
      await reopened.close();
    }
  });

  it('runs transactions atomically: a throw rolls everything back and the connection stays usable', async () => {
    const store = await openStore(join(dirs.make(), 'studio.duckdb'));
    try {
      await expect(store.db.transaction(async (tx) => {
        await tx.run("INSERT INTO models VALUES ('m1', 'a', '/a', NULL, NULL, 'now')");
        throw new Error('boom');
      })).rejects.toThrow('boom');
      // Calls queued while a transaction is open run after it, never inside it.
      const inside = store.db.transaction(async (tx) => {
        await tx.run("INSERT INTO models VALUES ('m2', 'b', '/b', NULL, NULL, 'now')");
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('late');
      });
      const outside = store.db.run("INSERT INTO models VALUES ('m3', 'c', '/c', NULL, NULL, 'now')");
      await expect(inside).rejects.toThrow('late');
      await outside;
      expect(await store.db.all('SELECT id FROM models')).toEqual([{ id: 'm3' }]);
    } finally {
      await store.close();
    }
  });
});

describe('loadMigrations', () => {
  it('loads the shipped migrations in order, numbered from 1', () => {
    const migrations = loadMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(migrations[0].name).toBe('001-initial.sql');
  });

  it('rejects a folder with a gap in the numbering, naming the file and the expected number', () => {
    const dir = dirs.make();
    writeFileSync(join(dir, '001-first.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(dir, '003-third.sql'), 'CREATE TABLE c (x INTEGER);');
    expect(() => loadMigrations(dir)).toThrow('Migration 003-third.sql is out of sequence: expected number 002.');
  });

  it('rejects a folder that does not start at 001, and ignores files that are not migrations', () => {
    const dir = dirs.make();
    writeFileSync(join(dir, '002-second.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/002-second\.sql is out of sequence: expected number 001/);

    const ok = dirs.make();
    writeFileSync(join(ok, '001-first.sql'), 'SELECT 1;');
    writeFileSync(join(ok, 'README.md'), 'notes');
    writeFileSync(join(ok, '2-bad-name.sql'), 'SELECT 2;');
    mkdirSync(join(ok, 'drafts'));
    expect(loadMigrations(ok).map((m) => m.name)).toEqual(['001-first.sql']);
  });
});

describe('splitStatements', () => {
  it('drops comment lines (even ones holding semicolons) and empty statements', () => {
    const sql = [
      '-- header; with a semicolon',
      'CREATE TABLE a (',
      '  id TEXT, -- trailing comments stay within the statement',
      '  n INTEGER',
      ');',
      '   -- indented comment; also with one',
      '',
      'CREATE TABLE b (id TEXT);;',
      '-- last',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE a (\n  id TEXT, -- trailing comments stay within the statement\n  n INTEGER\n)',
      'CREATE TABLE b (id TEXT)',
    ]);
  });

  it('splits the shipped 001 into one CREATE TABLE per table (the runner makes schema_version)', () => {
    const statements = splitStatements(loadMigrations()[0].sql);
    expect(statements).toHaveLength(9);
    expect(statements.every((s) => s.startsWith('CREATE TABLE'))).toBe(true);
  });
});
