// A small cache of record pages for the virtualised table: fetches pages on demand, keeps the most recent few, drops stale replies.
import type { StoredRecord } from '../../../../src-main/common/datasets';
import { pagesFor } from './virtual-window';

export type PageFetcher = (offset: number, limit: number) => Promise<{ total: number; rows: StoredRecord[] }>;

export class RecordPageCache {
  private pages = new Map<number, StoredRecord[]>();
  private inFlight = new Map<number, Promise<void>>();
  /** Bumped by reset(): a reply for an older generation (other version or search) is dropped. */
  private generation = 0;
  total: number | null = null;
  error: string | null = null;

  constructor(
    private fetchPage: PageFetcher,
    readonly pageSize = 200,
    readonly maxPages = 24,
    private onChange: () => void = () => {},
  ) {}

  /** Forgets everything (a new version or search), optionally with a new fetcher. */
  reset(fetchPage?: PageFetcher): void {
    if (fetchPage) this.fetchPage = fetchPage;
    this.generation++;
    this.pages.clear();
    this.inFlight.clear();
    this.total = null;
    this.error = null;
    this.onChange();
  }

  get(idx: number): StoredRecord | undefined {
    const page = this.pages.get(Math.floor(idx / this.pageSize));
    return page?.[idx % this.pageSize];
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  get cachedPages(): number[] {
    return [...this.pages.keys()];
  }

  /** Fetches the pages rows [first, last) need that are neither cached nor on their way. */
  async ensure(first: number, last: number): Promise<void> {
    const wanted = pagesFor(first, Math.max(last, first + 1), this.pageSize);
    await Promise.all(wanted.map((p) => this.load(p)));
  }

  private load(page: number): Promise<void> {
    if (this.pages.has(page)) {
      // Most recently used goes last, so eviction drops the oldest.
      const rows = this.pages.get(page)!;
      this.pages.delete(page);
      this.pages.set(page, rows);
      return Promise.resolve();
    }
    if (this.total !== null && page * this.pageSize >= this.total && page > 0) return Promise.resolve();
    const running = this.inFlight.get(page);
    if (running) return running;
    const generation = this.generation;
    const promise = this.fetchPage(page * this.pageSize, this.pageSize).then(
      (reply) => {
        if (generation !== this.generation) return;
        this.total = reply.total;
        this.error = null;
        this.pages.set(page, reply.rows);
        while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
        this.onChange();
      },
      (err: unknown) => {
        if (generation !== this.generation) return;
        this.error = err instanceof Error ? err.message : String(err);
        this.onChange();
      },
    ).finally(() => {
      if (generation === this.generation) this.inFlight.delete(page);
    });
    this.inFlight.set(page, promise);
    return promise;
  }
}
