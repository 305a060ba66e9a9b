// Is a journaled pid still our engine? Used once at startup to kill engines orphaned by a crash of main.
import { existsSync, readFileSync } from 'node:fs';
import { jobTag } from './launcher';

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** A zombie (dead, not yet reaped, e.g. under a container init that never reaps) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user, so it cannot be an engine we started; still "alive".
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    // "pid (comm) S ...": the state letter follows the last ')' (comm may itself contain parentheses).
    const text = readFileSync(stat, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // vanished between the two reads
  }
}

/**
 * Pids are reused: after a reboot or a long time the journaled pid may name an unrelated process. We only call it
 * ours when its command line carries this job's tag (Linux /proc). Elsewhere we cannot prove it and never kill;
 * such an orphan still exits by itself within seconds of noticing that its parent is gone.
 */
export function isOurEngine(pid: number, jobId: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(jobTag(jobId));
  } catch {
    return false;
  }
}

export type OrphanOutcome = 'not-running' | 'not-ours' | 'killed' | 'still-running';

/** Kills the orphaned engine of `jobId` at `pid` if it is really ours, and waits (briefly) until it is gone. */
export async function killOrphan(pid: number, jobId: string, waitMs = 2_000): Promise<OrphanOutcome> {
  if (!isAlive(pid)) return 'not-running';
  if (!isOurEngine(pid, jobId)) return 'not-ours';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'not-running';
  }
  const until = Date.now() + waitMs;
  while (isAlive(pid)) {
    if (Date.now() > until) return 'still-running';
    await sleep(20);
  }
  return 'killed';
}
