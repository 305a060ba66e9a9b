// Jobs and their journal (job_events) in the store: what the supervisor records so a restart loses nothing.
import type { Job } from '../common/jobs';
import type { Database, Row } from './database';

const columns = ['id', 'kind', 'state', 'params', 'progress', 'message', 'reason', 'resumable', 'run_dir', 'pid', 'created_at', 'started_at', 'ended_at'] as const;

function toJob(row: Row): Job {
  return {
    id: String(row.id),
    kind: row.kind as Job['kind'],
    state: row.state as Job['state'],
    params: JSON.parse(String(row.params)),
    progress: Number(row.progress),
    message: (row.message as string | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    resumable: Boolean(row.resumable),
    runDir: (row.run_dir as string | null) ?? null,
    pid: row.pid == null ? null : Number(row.pid),
    createdAt: String(row.created_at),
    startedAt: (row.started_at as string | null) ?? null,
    endedAt: (row.ended_at as string | null) ?? null,
  };
}

function toParams(job: Job): (string | number | boolean | null)[] {
  return [job.id, job.kind, job.state, JSON.stringify(job.params), job.progress, job.message, job.reason, job.resumable,
    job.runDir, job.pid, job.createdAt, job.startedAt, job.endedAt];
}

export interface JobEventRow { jobId: string; seq: number; at: string; type: string; payload: unknown }

export class JobsRepo {
  constructor(private readonly db: Database) {}

  async insert(job: Job): Promise<void> {
    const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
    await this.db.run(`INSERT INTO jobs (${columns.join(', ')}) VALUES (${placeholders})`, toParams(job));
  }

  /** Writes the job's whole row and a journal entry in one transaction, so the two never disagree. */
  async save(job: Job, eventType: string, payload: unknown = null): Promise<void> {
    await this.db.transaction(async (tx) => {
      const exists = await tx.all('SELECT 1 FROM jobs WHERE id = $1', [job.id]);
      if (!exists.length) throw new Error(`No job ${job.id} in the journal: insert it before saving it.`);
      const sets = columns.slice(1).map((c, i) => `${c} = $${i + 2}`).join(', ');
      await tx.run(`UPDATE jobs SET ${sets} WHERE id = $1`, toParams(job));
      const seqRow = await tx.all('SELECT coalesce(max(seq), 0) + 1 AS seq FROM job_events WHERE job_id = $1', [job.id]);
      await tx.run('INSERT INTO job_events VALUES ($1, $2, $3, $4, $5)',
        [job.id, Number(seqRow[0].seq), new Date().toISOString(), eventType, payload == null ? null : JSON.stringify(payload)]);
    });
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.db.one('SELECT * FROM jobs WHERE id = $1', [id]);
    return row ? toJob(row) : undefined;
  }

  async list(): Promise<Job[]> {
    return (await this.db.all('SELECT * FROM jobs ORDER BY created_at DESC, id DESC')).map(toJob);
  }

  /** Jobs the journal last saw queued or running: after a restart of main these are orphans to reconcile. */
  async listUnfinished(): Promise<Job[]> {
    return (await this.db.all("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at")).map(toJob);
  }

  async events(jobId: string): Promise<JobEventRow[]> {
    const rows = await this.db.all('SELECT * FROM job_events WHERE job_id = $1 ORDER BY seq', [jobId]);
    return rows.map((r) => ({ jobId: String(r.job_id), seq: Number(r.seq), at: String(r.occurred_at), type: String(r.type),
      payload: r.payload == null ? null : JSON.parse(String(r.payload)) }));
  }
}
