// The store's public face: open the database at a path and get its repositories.
import { Database } from './database';
import { JobsRepo } from './jobs-repo';

export { Database, moveAside } from './database';
export { StoreOpenError, type StoreProblem } from './store-error';
export { JobsRepo } from './jobs-repo';

export interface Store {
  db: Database;
  jobs: JobsRepo;
  close(): Promise<void>;
}

export async function openStore(path: string): Promise<Store> {
  const db = await Database.open(path);
  return { db, jobs: new JobsRepo(db), close: () => db.close() };
}

export const SUPPORTED_SCHEMA_VERSION = 1;
