// Run-folder primitives shared by engine jobs (and read by main): atomic JSON checkpoints, append-only JSONL.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The newest checkpoint of a run. Main reads only this file to decide whether a job can resume. */
export const latestCheckpointPath = (runDir: string): string => join(runDir, 'checkpoints', 'latest.json');
export const metricsPath = (runDir: string): string => join(runDir, 'metrics.jsonl');

export interface CheckpointInfo {
  step: number;
  [key: string]: unknown;
}

/** Write-then-rename: a crash leaves either the old file or the new one, never half of one. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

export function readLatestCheckpoint(runDir: string): CheckpointInfo | null {
  const path = latestCheckpointPath(runDir);
  if (!existsSync(path)) return null;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<CheckpointInfo>;
    return typeof value.step === 'number' && Number.isInteger(value.step) && value.step >= 0 ? (value as CheckpointInfo) : null;
  } catch {
    return null; // unreadable counts as absent: the job starts over rather than from garbage
  }
}

export function writeLatestCheckpoint(runDir: string, info: CheckpointInfo): string {
  const path = latestCheckpointPath(runDir);
  writeJsonAtomic(path, info);
  return path;
}

/** One line per call, so a crash tears at most the last line. */
export function appendJsonl(path: string, record: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/**
 * Before resuming from the checkpoint at `step`, drop the lines written after it (the resumed run writes them
 * again, deterministically) and a torn last line. Done atomically, so the file is never seen half-trimmed.
 */
export function trimJsonlAfterStep(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as { step?: unknown };
      if (typeof record.step === 'number' && record.step <= step) kept.push(line);
    } catch {
      // torn line from a crash mid-write
    }
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, kept.map((l) => `${l}\n`).join(''));
  renameSync(tmp, path);
}
