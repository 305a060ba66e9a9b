// The CLI and the app share one data folder, and DuckDB lets one process hold its database. When another process holds
// it, say so in one sentence instead of DuckDB's lock error.
import { openStore, type Store } from '../store';
import { homeLayout } from '../services/paths';
import { CliError } from './output';

const LOCK = /Could not set lock on file .*Conflicting lock is held in .*?\(PID (\d+)\)/s;

export function lockHolderPid(err: unknown): number | null {
  const m = LOCK.exec(err instanceof Error ? err.message : String(err));
  return m ? Number(m[1]) : null;
}

export async function openStoreOrExplain(home: string, what: string): Promise<Store> {
  try {
    return await openStore(homeLayout(home).database);
  } catch (err) {
    const pid = lockHolderPid(err);
    if (pid === null) throw err;
    throw new CliError(`${what} cannot run now: another Finetune Studio process (PID ${pid}: the desktop app, \`ftstudio serve\` or a running \`ftstudio train\`) has the data folder ${home} open, so run it again once that has finished or been closed (data commands also work while \`ftstudio serve\` is open on this folder).`);
  }
}
