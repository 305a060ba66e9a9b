// `ftstudio train` journals its job without holding the database for the whole run (DuckDB lets one process hold it,
// and a run can take hours): writes are queued and applied by opening the store briefly at the moments that matter —
// the job's start, each checkpoint, its outcome — so the app, `serve` or another command can use the data folder in
// between. If another process holds the folder at such a moment, the writes wait for the next one; the run folder stays
// the truth either way.
import type { Job } from '../common/jobs';
import type { JobJournal } from '../jobs/supervisor';
import { homeLayout } from '../services/paths';
import { openStore } from '../store';
import { lockHolderPid } from './store-access';

type Write = { kind: 'insert'; job: Job } | { kind: 'save'; job: Job; eventType: string; payload: unknown };

/** Events after which the queue is written at once; the others (progress, logs) ride along with the next. */
const FLUSH_ON = new Set(['queued', 'running', 'resumed', 'checkpoint', 'completed', 'failed', 'cancelled', 'interrupted', 'not-resumable']);

export class DetachedJournal implements JobJournal {
  private readonly jobs = new Map<string, Job>();
  private queue: Write[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** The PID that held the folder at the last write that had to wait, or null when everything is written. */
  blockedBy: number | null = null;

  constructor(private readonly home: string) {}

  async insert(job: Job): Promise<void> {
    this.jobs.set(job.id, { ...job });
    this.queue.push({ kind: 'insert', job: { ...job } });
    await this.flush();
  }

  async save(job: Job, eventType: string, payload: unknown = null): Promise<void> {
    this.jobs.set(job.id, { ...job });
    this.queue.push({ kind: 'save', job: { ...job }, eventType, payload });
    if (FLUSH_ON.has(eventType)) await this.flush();
  }

  async get(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id);
    return job ? { ...job } : undefined;
  }

  async list(): Promise<Job[]> {
    return [...this.jobs.values()].map((j) => ({ ...j }));
  }

  /** This journal only knows the jobs this command started: none of them is left over from before. */
  async listUnfinished(): Promise<Job[]> {
    return [];
  }

  /** Writes whatever is queued, in order, holding the database only while it does. Never rejects on a lock. */
  flush(): Promise<void> {
    const write = this.chain.catch(() => undefined).then(() => this.writeQueued());
    this.chain = write;
    return write;
  }

  private async writeQueued(): Promise<void> {
    if (this.queue.length === 0) return;
    let store;
    try {
      store = await openStore(homeLayout(this.home).database);
    } catch (err) {
      const pid = lockHolderPid(err);
      if (pid === null) throw err;
      this.blockedBy = pid; // kept queued for the next moment
      return;
    }
    try {
      while (this.queue.length) {
        const w = this.queue[0];
        if (w.kind === 'insert') await store.jobs.insert(w.job);
        else await store.jobs.save(w.job, w.eventType, w.payload);
        this.queue.shift();
      }
      this.blockedBy = null;
    } finally {
      await store.close();
    }
  }
}
