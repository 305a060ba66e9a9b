// The store's public face: open the database at a path and get its repositories.
import { Database } from './database';
import { JobsRepo } from './jobs-repo';
import { DatasetsRepo } from './datasets-repo';

export { Database, moveAside } from './database';
export { isDiskFull, StoreDiskFullError, StoreOpenError, type StoreProblem } from './store-error';
export { JobsRepo } from './jobs-repo';
export { DatasetsRepo, type ChangeRow, type FileRow, type RecordRow, type VersionWriter } from './datasets-repo';
export type { BulkWriter, ColumnKind } from './database';

export interface Store {
  db: Database;
  jobs: JobsRepo;
  datasets: DatasetsRepo;
  close(): Promise<void>;
}

export async function openStore(path: string): Promise<Store> {
  const db = await Database.open(path);
  return { db, jobs: new JobsRepo(db), datasets: new DatasetsRepo(db), close: () => db.close() };
}

export const SUPPORTED_SCHEMA_VERSION = 2;
export { readTableFile, type TableFileKind } from './table-file-reader';
