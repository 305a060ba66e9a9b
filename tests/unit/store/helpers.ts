// Shared helpers of the store tests: temp folders, file fingerprints, raw DuckDB access, sample jobs.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Job } from '../../../src-main/common/jobs';

/** A fresh temp folder per test; `cleanup` removes every folder made so far (call it in afterEach). */
export function tempDirs(prefix = 'ftstudio-store-'): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Name → sha256 of every file in a folder: to prove a failed open touched nothing and created nothing. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, sha256(join(dir, name))]));
}

/** Runs statements on the file with a plain DuckDB instance, bypassing the store (to forge states the store never writes). */
export async function rawExec(path: string, statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    for (const sql of statements) await conn.run(sql);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function rawQuery(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export function sampleJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    kind: 'selftest',
    state: 'queued',
    params: { steps: 5, stepMs: 10 },
    progress: 0,
    message: null,
    reason: null,
    resumable: false,
    runDir: null,
    pid: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    endedAt: null,
    ...overrides,
  };
}
