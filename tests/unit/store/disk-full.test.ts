// A full disk during an import: the error says that the disk holding the data folder is full (naming the folder),
// not DuckDB's follow-up "Current transaction is aborted (please ROLLBACK)"; the import leaves nothing and the data
// stored before it is untouched. Two write boundaries: the appender's flush (DuckDB's error injected with its real
// text: filling a real disk needs a mount) and the commit (a real ENOSPC: the write-ahead log is /dev/full).
import { existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBAppender } from '@duckdb/node-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImportInput } from '../../../src-main/common/datasets';
import { ApiError } from '../../../src-main/common/errors';
import { DataTasks } from '../../../src-main/services/data/data-tasks';
import { importDataset } from '../../../src-main/services/data/import-dataset';
import { openStore, StoreDiskFullError, type Store } from '../../../src-main/store';
import { tempDirs } from './helpers';

const dirs = tempDirs('ftstudio-disk-full-');
const stores: Store[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  dirs.cleanup();
});

const hub = { emit: () => undefined };

async function open(dir: string): Promise<Store> {
  const store = await openStore(join(dir, 'studio.duckdb'));
  stores.push(store);
  return store;
}

function dataFile(dir: string, name: string, rows: number): string {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, Array.from({ length: rows }, (_, i) => JSON.stringify({ instruction: `${name} question ${i}`, output: `answer ${i}` })).join('\n'));
  return file;
}

function importInto(store: Store, file: string, name: string) {
  return importDataset(store.datasets, new DataTasks(hub as never), ImportInput.parse({ paths: [file], name }));
}

/** Every dataset with its versions and records, to prove a failed import changed none of them. */
async function contents(store: Store): Promise<unknown> {
  const out: unknown[] = [];
  for (const d of await store.datasets.list()) {
    const rows = await store.datasets.recordsFrom(d.currentVersion!.id, 0, 1_000_000);
    out.push({ name: d.name, versions: d.versions.map((v) => [v.id, v.version, v.recordCount, v.state]), rows });
  }
  return out;
}

describe('a full disk during data import', () => {
  it('names the data folder when the appender cannot write (not "Current transaction is aborted")', async () => {
    const dir = dirs.make();
    const store = await open(dir);
    await importInto(store, dataFile(dir, 'first', 20), 'first');
    const before = await contents(store);

    // DuckDB's own words when a flush finds the disk full, and what closing that appender says afterwards.
    const dbFile = join(dir, 'studio.duckdb');
    let failed = false;
    const flush = DuckDBAppender.prototype.flushSync;
    const close = DuckDBAppender.prototype.closeSync;
    vi.spyOn(DuckDBAppender.prototype, 'flushSync').mockImplementation(function (this: DuckDBAppender) {
      if (!failed) {
        failed = true;
        throw new Error(`Failed to append: Could not write file "${dbFile}": No space left on device`);
      }
      flush.call(this);
    });
    vi.spyOn(DuckDBAppender.prototype, 'closeSync').mockImplementation(function (this: DuckDBAppender) {
      close.call(this);
      if (failed) throw new Error('Failed to append: Current transaction is aborted (please ROLLBACK)');
    });

    const err = await importInto(store, dataFile(dir, 'second', 50), 'second').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('unavailable');
    expect((err as ApiError).message).toBe(`The disk holding the data folder ${dir} is full (Could not write file "${dbFile}": No space left on device). `
      + 'Free space on that disk, or move the data folder to a disk with more room, and try again. Nothing of this import was kept; the datasets stored before it are untouched.');
    expect(failed).toBe(true);

    vi.restoreAllMocks();
    expect(await contents(store)).toEqual(before);
    expect(await store.datasets.nameTaken('second')).toBe(false); // nothing of it left, the name is free again
    await importInto(store, dataFile(dir, 'second', 50), 'second');
    expect((await store.datasets.byName('second'))?.currentVersion?.recordCount).toBe(50);
  });

  it('a bulk writer keeps its first failure: later writes repeat it, not "transaction is aborted"', async () => {
    const dir = dirs.make();
    const store = await open(dir);
    const writer = await store.db.bulkWriter();
    vi.spyOn(DuckDBAppender.prototype, 'flushSync').mockImplementationOnce(() => {
      throw new Error(`Failed to append: Could not write file "${join(dir, 'studio.duckdb')}": No space left on device`);
    });
    const first = await writer.append('schema_version', ['int', 'text'], [[99, 'x']]).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(StoreDiskFullError);
    expect((first as StoreDiskFullError).folder).toBe(dir);
    await expect(writer.run('SELECT 1')).rejects.toBe(first);
    await expect(writer.commit()).rejects.toBe(first);
    expect((await store.db.all('SELECT version FROM schema_version WHERE version = 99'))).toEqual([]);
  });

  it.skipIf(!existsSync('/dev/full'))('names the data folder when the commit cannot write (a real ENOSPC), and keeps earlier data', async () => {
    const dir = dirs.make();
    let store = await open(dir);
    await importInto(store, dataFile(dir, 'first', 20), 'first');
    const before = await contents(store);

    // From the second import's first commit on, every write of the write-ahead log fails as on a full disk.
    const wal = join(dir, 'studio.duckdb.wal');
    const create = store.datasets.createDataset.bind(store.datasets);
    vi.spyOn(store.datasets, 'createDataset').mockImplementation(async (...args) => {
      const made = await create(...args);
      await store.db.run('CHECKPOINT'); // the log is folded into the file and removed; DuckDB opens it again to write
      expect(existsSync(wal)).toBe(false);
      symlinkSync('/dev/full', wal);
      return made;
    });
    const err = await importInto(store, dataFile(dir, 'second', 50), 'second').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`^The disk holding the data folder ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full \\(Could not write file ".*studio\\.duckdb\\.wal": No space left on device\\)`));
    expect((err as Error).message).not.toMatch(/transaction is aborted/);
    expect(await contents(store)).toEqual(before);

    // Space again: the next open removes what the failed import could not (its entry), and the earlier data is there.
    rmSync(wal);
    await store.close();
    stores.splice(0);
    store = await open(dir);
    await store.datasets.discardUnfinished();
    expect(await contents(store)).toEqual(before);
    expect(await store.datasets.nameTaken('second')).toBe(false);
  });
});
