// Where a running `serve` can be reached by the CLI on the same data folder: HOME/api-endpoint.json holds its origin,
// port, access token and PID, readable by this user only (0600), written when the server listens and removed when it
// stops. A stale file (its process gone) is ignored.
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../jobs/process-check';

export interface ApiEndpoint {
  origin: string;
  port: number;
  token: string;
  pid: number;
}

export function endpointFile(home: string): string {
  return join(home, 'api-endpoint.json');
}

export function writeApiEndpoint(home: string, endpoint: ApiEndpoint): void {
  const file = endpointFile(home);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600); // created private: the token must never be readable by another user
  try {
    writeSync(fd, `${JSON.stringify(endpoint, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600); // in case the file already existed with a wider mode
  renameSync(tmp, file);
}

/** Removes the file if it is this process's (another server may have started since). */
export function removeApiEndpoint(home: string, pid = process.pid): void {
  if (readApiEndpoint(home)?.pid === pid) rmSync(endpointFile(home), { force: true });
}

/** The endpoint of a live server on this home, or null. */
export function readApiEndpoint(home: string): ApiEndpoint | null {
  const file = endpointFile(home);
  if (!existsSync(file)) return null;
  try {
    const e = JSON.parse(readFileSync(file, 'utf8')) as ApiEndpoint;
    if (typeof e.origin !== 'string' || typeof e.token !== 'string' || !Number.isInteger(e.pid) || !Number.isInteger(e.port)) return null;
    return isAlive(e.pid) ? e : null;
  } catch {
    return null;
  }
}
