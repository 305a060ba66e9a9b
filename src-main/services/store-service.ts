// Keeps the store open, or explains why it is not (corrupt / newer schema) and moves a broken file aside on request.
import { ApiError } from '../common/errors';
import type { StoreStatus } from '../common/store';
import { moveAside, openStore, StoreOpenError, SUPPORTED_SCHEMA_VERSION, type Store } from '../store';

export class StoreService {
  private store: Store | null = null;
  private problem: StoreOpenError | null = null;

  constructor(readonly path: string) {}

  /** Opens the file; a corrupt or too-new file leaves the service degraded instead of throwing. */
  async open(): Promise<Store | null> {
    try {
      this.store = await openStore(this.path);
      this.problem = null;
    } catch (err) {
      if (!(err instanceof StoreOpenError)) throw err;
      this.store = null;
      this.problem = err;
    }
    return this.store;
  }

  status(): StoreStatus {
    return {
      path: this.path,
      ok: this.store !== null,
      schemaVersion: this.store?.db.schemaVersion ?? this.problem?.foundVersion ?? null,
      supportedVersion: SUPPORTED_SCHEMA_VERSION,
      problem: this.problem?.problem ?? null,
      message: this.problem?.message ?? null,
    };
  }

  current(): Store | null {
    return this.store;
  }

  /** The open store, or a typed error the UI turns into the "move it aside" banner. */
  require(): Store {
    if (this.store) return this.store;
    throw new ApiError('store-problem', this.problem?.message ?? `The database ${this.path} is not open.`, this.status());
  }

  /** Only a broken file is moved: a healthy database is never touched by this. */
  async moveAside(): Promise<{ movedTo: string }> {
    if (this.store) throw new ApiError('conflict', 'The database is healthy; there is nothing to move aside.');
    const movedTo = moveAside(this.path);
    await this.open();
    return { movedTo };
  }

  async close(): Promise<void> {
    await this.store?.close();
    this.store = null;
  }
}
