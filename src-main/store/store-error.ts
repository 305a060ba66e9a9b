// Errors opening the database file, typed so the app can offer to move the file aside (never delete it).
export type StoreProblem = 'newer-schema' | 'corrupt';

export class StoreOpenError extends Error {
  constructor(
    readonly problem: StoreProblem,
    readonly path: string,
    message: string,
    readonly foundVersion: number | null = null,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

/** What DuckDB (through the OS) says when a write finds the disk full: ENOSPC on POSIX, ERROR_DISK_FULL on Windows. */
const diskFullMessage = /No space left on device|ENOSPC|not enough space on the disk|disk is full/i;

export function isDiskFull(err: unknown): boolean {
  return err instanceof StoreDiskFullError || (err instanceof Error && diskFullMessage.test(err.message));
}

/**
 * A write of the database failed because the disk holding the data folder is full. The statement or transaction that
 * hit it was rolled back by DuckDB; what was committed before is untouched.
 */
export class StoreDiskFullError extends Error {
  constructor(
    /** The folder holding the database file (and DuckDB's write-ahead log and spill files). */
    readonly folder: string,
    /** DuckDB's own words, e.g. `Could not write file ".../studio.duckdb": No space left on device`. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`The disk holding the data folder ${folder} is full (${detail}). Free space on that disk, or move the data folder to a disk with more room, and try again.`, options);
    this.name = 'StoreDiskFullError';
  }
}
