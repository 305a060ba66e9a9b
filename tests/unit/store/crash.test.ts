// Crash consistency: a process SIGKILLed while it writes leaves a file that opens, with every committed row and no
// uncommitted one (DuckDB's WAL + optimistic writes, and our transaction wrapper committing only at the end).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, StoreOpenError, SUPPORTED_SCHEMA_VERSION } from '../../../src-main/store/index';
import { tempDirs } from './helpers';

const fixture = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dirs = tempDirs('ftstudio-crash-');
afterEach(() => dirs.cleanup());

interface ChildEnd { code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string; killedAfter: string | null }

/**
 * Runs the child and calls `onLine` for each stdout line; `onLine` returns true to have the child SIGKILLed at once,
 * or a promise of true to kill it when that resolves (so the parent can wait for a sign that the statement is running).
 */
function runChild(dbPath: string, mode: string, onLine: (line: string) => boolean | Promise<boolean>): Promise<ChildEnd> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dbPath, mode], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let buffered = '';
    let killedAfter: string | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000); // never hang the suite
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        void Promise.resolve(onLine(line)).then((kill) => {
          if (kill && killedAfter === null) {
            killedAfter = line;
            child.kill('SIGKILL');
          }
        }, reject);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, lines, stderr, killedAfter });
    });
  });
}

/** Resolves true once the file has grown by `bytes` beyond its size now (the running INSERT is writing blocks). */
async function fileGrows(path: string, bytes: number, timeoutMs = 20_000): Promise<boolean> {
  const start = statSync(path).size;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (statSync(path).size >= start + bytes) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

/** The committed state the child writes before the crash point, and nothing of what came after. */
async function expectOnlyCommittedRows(dbPath: string): Promise<void> {
  const store = await openStore(dbPath);
  try {
    expect(store.db.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
    const counts = await store.db.all<{ version_id: string; n: number; idx_sum: number }>(
      'SELECT version_id, count(*) AS n, sum(idx) AS idx_sum FROM records GROUP BY version_id ORDER BY version_id');
    expect(counts).toEqual([
      { version_id: 'v-bulk', n: 130_000, idx_sum: (130_000 * 130_001) / 2 },
      { version_id: 'v-small', n: 1000, idx_sum: (1000 * 1001) / 2 },
      { version_id: 'v-tx', n: 10, idx_sum: 55 },
    ]);
    const sample = await store.db.one('SELECT messages, source_hash FROM records WHERE version_id = $1 AND idx = $2', ['v-bulk', 123_456]);
    expect(JSON.parse(String(sample?.messages))).toEqual([{ role: 'user', content: 'hello 123456' }]);
    expect(sample?.source_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(await store.db.all('SELECT id, name FROM datasets ORDER BY id')).toEqual([{ id: 'ds-1', name: 'committed' }]);

    // The file is writable again, and the keys the lost rows held are free (no ghost index entries).
    await store.db.run(`INSERT INTO records (version_id, idx, messages, system, tools, source_file, source_hash, source_row, pos) SELECT 'v-uncommitted', i, '[]', NULL, NULL, NULL, NULL, NULL, i FROM range(1, 6) r(i)`);
  } finally {
    await store.close();
  }
  const again = await openStore(dbPath);
  try {
    expect(await again.db.one("SELECT count(*) AS n FROM records WHERE version_id = 'v-uncommitted'")).toEqual({ n: 5 });
    expect(await again.db.one('SELECT count(*) AS n FROM records')).toEqual({ n: 131_015 });
  } finally {
    await again.close();
  }
}

describe('crash consistency (child process SIGKILLed while writing)', () => {
  it('keeps committed rows and drops an open transaction', async () => {
    const dbPath = join(dirs.make(), 'studio.duckdb');
    const end = await runChild(dbPath, 'open-tx', (line) => line === 'IN_TX');
    expect(end.stderr).toBe('');
    expect(end.lines).toEqual(['COMMITTED', 'IN_TX']);
    expect(end.killedAfter).toBe('IN_TX');
    expect(end.signal).toBe('SIGKILL');
    await expectOnlyCommittedRows(dbPath);
  });

  it('keeps committed rows and drops a single INSERT…SELECT killed mid-statement', async () => {
    const dbPath = join(dirs.make(), 'studio.duckdb');
    // Kill once the 1e6-row statement has written 1 MiB of row groups into the file: it is then running, not done.
    const end = await runChild(dbPath, 'mid-insert', (line) => line === 'START' && fileGrows(dbPath, 1 << 20));
    expect(end.stderr).toBe('');
    expect(end.killedAfter).toBe('START');
    expect(end.lines).toEqual(['COMMITTED', 'START']); // no DONE: the kill landed inside the statement
    expect(end.signal).toBe('SIGKILL');
    await expectOnlyCommittedRows(dbPath);
  });
});

describe('a file another process holds open', () => {
  it('is refused with DuckDB\'s lock error, not as corrupt, even when its path reads like a problem', async () => {
    // The folder name holds the words the corrupt-file check looks for; only DuckDB's own words may decide.
    const dbPath = join(dirs.make(), 'Corrupt Invalid checksum', 'studio.duckdb');
    let err: unknown = null;
    const end = await runChild(dbPath, 'hold', async (line) => {
      if (line !== 'OPEN') return false;
      err = await openStore(dbPath).then(async (s) => { await s.close(); return null; }, (e: unknown) => e);
      return true;
    });
    expect(end.stderr).toBe('');
    expect(end.signal).toBe('SIGKILL');
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(StoreOpenError);
    expect((err as Error).message).toMatch(/lock/i);
    // Once the holder is gone the file opens normally.
    const store = await openStore(dbPath);
    expect(store.db.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
    await store.close();
  });
});
