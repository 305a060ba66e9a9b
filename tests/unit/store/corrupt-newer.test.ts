// Files the store must refuse without touching them (corrupt, truncated, from a newer schema), and moving one aside.
import { randomBytes, randomFillSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moveAside, openStore, StoreOpenError, SUPPORTED_SCHEMA_VERSION } from '../../../src-main/store/index';
import { rawExec, rawQuery, snapshot, tempDirs } from './helpers';

// The prefix avoids the words DuckDB's errors are classified by, so the path can never make a message look corrupt.
const dirs = tempDirs('ftstudio-badfile-');
afterEach(() => dirs.cleanup());

/** A valid store file of about 2 MB (catalog and data in separate 256 KiB blocks), closed cleanly so it has no WAL. */
async function validStoreFile(dir: string): Promise<string> {
  const path = join(dir, 'studio.duckdb');
  const store = await openStore(path);
  await store.db.run(`INSERT INTO records (version_id, idx, messages, system, tools, source_file, source_hash, source_row, pos) SELECT 'v1', i, '[{"role":"user","content":"hi"}]', NULL, NULL, 'f', md5(i::TEXT), i, i
    FROM range(50000) r(i)`);
  await store.close();
  expect(readdirSync(dir)).toEqual(['studio.duckdb']);
  return path;
}

/** Byte offsets of the storage blocks: the end of the catalog (metadata) blocks, which open must read, and the start
 *  of the last block holding records' data, which open does not read. */
async function blockLayout(path: string): Promise<{ catalogEnd: number; lastDataStart: number; blockSize: number }> {
  const [row] = await rawQuery(path, `SELECT (SELECT max(block_id) FROM pragma_metadata_info()) AS meta,
    (SELECT max(block_id) FROM pragma_storage_info('records')) AS data, get_block_size(current_database()) AS size`);
  const offset = (block: number): number => 3 * 4096 + block * Number(row.size);
  return { catalogEnd: offset(Number(row.meta) + 1), lastDataStart: offset(Number(row.data)), blockSize: Number(row.size) };
}

async function openError(path: string): Promise<StoreOpenError> {
  const err: unknown = await openStore(path).then(async (s) => { await s.close(); return null; }, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreOpenError);
  return err as StoreOpenError;
}

/** openStore refuses the file as corrupt, names it, and leaves every file in its folder byte-for-byte as it was. */
async function expectRefusedAsCorrupt(path: string, duckdbSays: RegExp): Promise<void> {
  const dir = join(path, '..');
  expect(path).not.toMatch(/corrupt|invalid|checksum|serializ|storage version|not a valid|could not read/i); // see tempDirs above
  const before = snapshot(dir);
  const err = await openError(path);
  expect(err.problem).toBe('corrupt');
  expect(err.path).toBe(path);
  expect(err.foundVersion).toBeNull();
  expect(err.message).toContain(path);
  expect(err.message).toMatch(duckdbSays);
  expect(snapshot(dir)).toEqual(before);
}

describe('openStore on a corrupt file', () => {
  it('refuses random bytes', async () => {
    const path = join(dirs.make(), 'studio.duckdb');
    writeFileSync(path, randomBytes(64 * 1024));
    await expectRefusedAsCorrupt(path, /not a valid DuckDB database/);
  });

  it('refuses an empty file', async () => {
    const path = join(dirs.make(), 'studio.duckdb');
    writeFileSync(path, '');
    await expectRefusedAsCorrupt(path, /not a valid DuckDB database/);
  });

  it('refuses a valid file truncated in the middle of its catalog block', async () => {
    const path = await validStoreFile(dirs.make());
    const { catalogEnd } = await blockLayout(path);
    const bytes = readFileSync(path);
    expect(catalogEnd).toBeLessThanOrEqual(bytes.length); // the cut below lands inside the file
    writeFileSync(path, bytes.subarray(0, catalogEnd - 1000)); // the block open must read is cut short
    await expectRefusedAsCorrupt(path, /Could not read enough bytes/);
  });

  // Known gap: DuckDB reads only the headers and the catalog on open, so a file whose data blocks are lost (cut short or
  // damaged after the catalog was written) opens; the loss shows as an error on the first read of a lost block (never
  // as silently missing rows), and the open writes nothing. (A size check on open is no fix: after deletes DuckDB trims
  // trailing free blocks that its header still counts.) Which block comes last depends on DuckDB's allocation (since
  // migration 002 rebuilt `records`, a catalog block follows the data), so the last data block is damaged in place.
  it('opens a file whose last data block is damaged, and fails loudly on reading the lost rows', async () => {
    const dir = dirs.make();
    const path = await validStoreFile(dir);
    const { lastDataStart, blockSize } = await blockLayout(path);
    const bytes = readFileSync(path);
    expect(lastDataStart + blockSize).toBeLessThanOrEqual(bytes.length);
    bytes.fill(0, lastDataStart, lastDataStart + blockSize);
    writeFileSync(path, bytes);
    const before = snapshot(dir);
    const store = await openStore(path);
    try {
      expect(await store.db.one('SELECT count(*) AS n FROM records')).toEqual({ n: 50_000 }); // from the catalog alone
      await expect(store.db.all('SELECT max(messages), max(source_hash), sum(source_row) FROM records')).rejects.toThrow(/checksum|Corrupt/i);
    } finally {
      await store.close();
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a valid file whose blocks were overwritten (same length)', async () => {
    const path = await validStoreFile(dirs.make());
    const bytes = readFileSync(path);
    randomFillSync(bytes, 12288); // everything after the headers: the metadata block's checksum fails on open
    writeFileSync(path, bytes);
    await expectRefusedAsCorrupt(path, /checksum/);
  });

  it('refuses a valid file whose database headers were overwritten', async () => {
    const path = await validStoreFile(dirs.make());
    const bytes = readFileSync(path);
    randomFillSync(bytes, 4096, 8192);
    writeFileSync(path, bytes);
    await expectRefusedAsCorrupt(path, /Corrupt database file/);
  });

  it('refuses a valid file with a corrupt write-ahead log, touching neither', async () => {
    const dir = dirs.make();
    const path = join(dir, 'studio.duckdb');
    await openStore(path).then((s) => s.close());
    // A WAL left by a process that never checkpointed, then damaged after its header.
    await rawExec(path, ['PRAGMA disable_checkpoint_on_shutdown', "INSERT INTO models VALUES ('m1', 'a', '/a', NULL, NULL, 'now')"]);
    const wal = readFileSync(`${path}.wal`);
    randomFillSync(wal, 24);
    writeFileSync(`${path}.wal`, wal);
    await expectRefusedAsCorrupt(path, /WAL/);
  });
});

describe('openStore on a file from a newer schema', () => {
  it('refuses it with the version it found, leaving the file untouched', async () => {
    const dir = dirs.make();
    const path = join(dir, 'studio.duckdb');
    await openStore(path).then((s) => s.close());
    await rawExec(path, ["INSERT INTO schema_version VALUES (99, '2099-01-01T00:00:00Z')"]);
    const before = snapshot(dir);

    const err = await openError(path);
    expect(err.problem).toBe('newer-schema');
    expect(err.foundVersion).toBe(99);
    expect(err.path).toBe(path);
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/schema 99/);
    expect(snapshot(dir)).toEqual(before);
    // Still the same file: nothing was migrated into it or dropped from it.
    expect(await rawQuery(path, 'SELECT version FROM schema_version ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 99 }]);
  });
});

describe('moveAside', () => {
  const now = new Date('2025-03-04T05:06:07.089Z');
  const stamp = '2025-03-04T05-06-07-089Z';

  it('renames a corrupt file aside, keeps its bytes, and a fresh store opens at the path', async () => {
    const dir = dirs.make();
    const path = join(dir, 'studio.duckdb');
    const junk = randomBytes(10_000);
    writeFileSync(path, junk);
    expect((await openError(path)).problem).toBe('corrupt');

    const target = moveAside(path, now);
    expect(target).toBe(`${path}.moved-${stamp}`);
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(target).equals(junk)).toBe(true);

    const fresh = await openStore(path);
    expect(fresh.db.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
    await fresh.close();
    expect(readdirSync(dir).sort()).toEqual(['studio.duckdb', `studio.duckdb.moved-${stamp}`]);
    expect(readFileSync(target).equals(junk)).toBe(true);
  });

  it('moves the write-ahead log with the file, so the moved copy still holds its committed rows', async () => {
    const dir = dirs.make();
    const path = join(dir, 'studio.duckdb');
    await openStore(path).then((s) => s.close());
    await rawExec(path, ['PRAGMA disable_checkpoint_on_shutdown', "INSERT INTO models VALUES ('m1', 'kept', '/a', NULL, NULL, 'now')"]);
    expect(existsSync(`${path}.wal`)).toBe(true);
    const before = snapshot(dir);

    const target = moveAside(path, now);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.wal`)).toBe(false);
    expect(snapshot(dir)).toEqual({ [`studio.duckdb.moved-${stamp}`]: before['studio.duckdb'], [`studio.duckdb.moved-${stamp}.wal`]: before['studio.duckdb.wal'] });

    const fresh = await openStore(path);
    expect(await fresh.db.all('SELECT * FROM models')).toEqual([]);
    await fresh.close();
    expect(await rawQuery(target, 'SELECT name FROM models')).toEqual([{ name: 'kept' }]); // the WAL replays under its new name
  });

  it('never overwrites: a second move in the same millisecond gets its own name', async () => {
    const dir = dirs.make();
    const path = join(dir, 'studio.duckdb');
    writeFileSync(path, 'first');
    writeFileSync(`${path}.wal`, 'first wal');
    expect(moveAside(path, now)).toBe(`${path}.moved-${stamp}`);
    writeFileSync(path, 'second');
    expect(moveAside(path, now)).toBe(`${path}.moved-${stamp}-2`);
    writeFileSync(path, 'third');
    expect(moveAside(path, now)).toBe(`${path}.moved-${stamp}-3`);
    expect(Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]))).toEqual({
      [`studio.duckdb.moved-${stamp}`]: 'first',
      [`studio.duckdb.moved-${stamp}.wal`]: 'first wal',
      [`studio.duckdb.moved-${stamp}-2`]: 'second',
      [`studio.duckdb.moved-${stamp}-3`]: 'third',
    });
  });
});
