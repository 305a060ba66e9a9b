// Starts, watches and stops engine processes (one per job) and journals every state change; main never dies of one.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CANCEL_GRACE_MS, FromEngine, HEARTBEAT_MS, MISSED_HEARTBEATS_FATAL } from '../common/engine-protocol';
import { ApiError } from '../common/errors';
import type { Job, JobKind, JobState } from '../common/jobs';
import type { EventHub } from '../services/api-dispatch';
import type { JobsRepo } from '../store';
import { jobKinds, parseJobRequest, reasons } from './kinds';
import type { EngineLauncher, EngineProcess } from './launcher';
import { JobRecorder, type ErrorSink } from './recorder';
import { clearTimers, newLiveJob, type LiveJob, type StopIntent } from './live-job';
import { isAlive, isOurEngine, killOrphan } from './process-check';

/** What the supervisor needs of a journal: the store's JobsRepo, or one that holds the database only briefly. */
export type JobJournal = Pick<JobsRepo, 'insert' | 'save' | 'get' | 'list' | 'listUnfinished'>;

export interface JobSupervisorOptions {
  jobs: JobJournal;
  launcher: EngineLauncher;
  hub: EventHub;
  /** Each job gets runsDir/<jobId>/ as its run folder. */
  runsDir: string;
  /** Defaults come from the engine protocol; tests shorten them. */
  heartbeatTimeoutMs?: number;
  cancelGraceMs?: number;
  /** Progress is journaled at most this often (the hub still gets every update); outcomes always are. */
  progressJournalMs?: number;
  /** Where failures of main's own bookkeeping go (a full disk, a closed store); default console.error. */
  onError?: ErrorSink;
}

/** How long after a SIGKILL we stop waiting for the exit notice and record the outcome anyway. */
const KILL_BACKSTOP_MS = 5_000;
// A cancelled run that left a checkpoint can be continued too: "stop" and "resume" are a pair for training.
const RESUMABLE_STATES: ReadonlySet<JobState> = new Set(['interrupted', 'failed', 'cancelled']);
const now = () => new Date().toISOString();

export class JobSupervisor {
  private readonly live = new Map<string, LiveJob>();
  /** Jobs between "checked" and "launched" in resume(), so two calls cannot both launch one. */
  private readonly resuming = new Set<string>();
  private closing = false;
  private readonly heartbeatTimeoutMs: number;
  private readonly graceMs: number;
  private readonly progressJournalMs: number;
  private readonly rec: JobRecorder;

  constructor(private readonly options: JobSupervisorOptions) {
    this.rec = new JobRecorder(options.jobs, options.hub, options.onError);
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? MISSED_HEARTBEATS_FATAL * HEARTBEAT_MS;
    this.graceMs = options.cancelGraceMs ?? CANCEL_GRACE_MS;
    this.progressJournalMs = options.progressJournalMs ?? 1_000;
  }

  /**
   * Validates the parameters for the kind, journals the job as queued, and launches its engine. The run folder is
   * runsDir/<id> unless the caller names one (the CLI's --out); a folder with a checkpoint makes the job resume there.
   */
  async start(kind: JobKind, params: Record<string, unknown> = {}, options: { runDir?: string } = {}): Promise<Job> {
    if (this.closing) throw new ApiError('unavailable', 'The job system is shutting down.');
    const valid = parseJobRequest(kind, params); // throws invalid-input before anything is recorded or launched
    const id = randomUUID();
    const runDir = options.runDir ?? join(this.options.runsDir, id);
    mkdirSync(runDir, { recursive: true });
    const job: Job = {
      id, kind: valid.kind, state: 'queued', params: valid.params, progress: 0, message: null, reason: null,
      resumable: false, runDir, pid: null, createdAt: now(), startedAt: null, endedAt: null,
    };
    await this.options.jobs.insert(job);
    await this.rec.persist(job, 'queued', { params: job.params });
    this.rec.emitUpdated(job);
    return this.launch(job, 'running');
  }

  /** Asks the engine to stop at its next safe point; SIGKILL after the grace period. Returns the job as it is now. */
  async cancel(id: string): Promise<Job> {
    const entry = this.live.get(id);
    if (entry) {
      this.requestStop(entry, 'cancel');
      return { ...entry.job };
    }
    const job = await this.options.jobs.get(id);
    if (!job) throw new ApiError('not-found', `No job with id ${id}.`);
    // Not running here (never launched, or interrupted): cancelling only settles the record.
    if (job.state === 'queued' || job.state === 'running' || job.state === 'interrupted') {
      Object.assign(job, { state: 'cancelled', reason: reasons.cancelled, resumable: false, endedAt: now() });
      await this.rec.persist(job, 'cancelled');
      this.rec.emitUpdated(job);
    }
    return job;
  }

  /**
   * Call once at startup, before any start(): jobs the journal last saw queued/running lost their main. They become
   * `interrupted` (resumable when their run folder has a checkpoint); an orphaned engine still alive is killed if it
   * is provably ours (see process-check.ts on pid reuse).
   */
  async reconcile(): Promise<Job[]> {
    const reconciled: Job[] = [];
    for (const job of await this.options.jobs.listUnfinished()) {
      if (this.live.has(job.id)) continue;
      try {
        const orphan = job.pid === null ? 'none' : await killOrphan(job.pid, job.id);
        const resumable = jobKinds[job.kind].canResume(job.runDir);
        Object.assign(job, { state: 'interrupted', reason: reasons.interrupted, resumable, endedAt: now() });
        await this.rec.persist(job, 'interrupted', { resumable, orphan });
        this.rec.emitUpdated(job);
        reconciled.push(job);
      } catch (err) {
        this.rec.report(err, `reconcile job ${job.id}`);
      }
    }
    return reconciled;
  }

  /** Relaunches an interrupted (or crashed) resumable job on its run folder; the engine continues from the checkpoint. */
  async resume(id: string): Promise<Job> {
    if (this.closing) throw new ApiError('unavailable', 'The job system is shutting down.');
    if (this.live.has(id) || this.resuming.has(id)) throw new ApiError('conflict', `Job ${id} is already running.`);
    this.resuming.add(id);
    try {
      const job = await this.options.jobs.get(id);
      if (!job) throw new ApiError('not-found', `No job with id ${id}.`);
      if (!RESUMABLE_STATES.has(job.state) || !job.resumable) {
        throw new ApiError('conflict', `Job ${id} is ${job.state} and ${job.resumable ? 'cannot be resumed in that state' : 'has no checkpoint to resume from'}.`);
      }
      if (!jobKinds[job.kind].canResume(job.runDir)) {
        job.resumable = false;
        await this.rec.persist(job, 'not-resumable', { reason: 'checkpoint missing' });
        throw new ApiError('conflict', `Job ${id} cannot resume: its run folder has no checkpoint any more.`);
      }
      // Two engines on one run folder would interleave its files.
      if (job.pid !== null && isAlive(job.pid) && isOurEngine(job.pid, job.id)) {
        throw new ApiError('conflict', `The previous engine of job ${id} is still stopping; try again in a moment.`);
      }
      return await this.launch(job, 'resumed');
    } finally {
      this.resuming.delete(id);
    }
  }

  async list(): Promise<Job[]> {
    // Live jobs are fresher in memory than in the journal (progress rows are throttled).
    return (await this.options.jobs.list()).map((job) => this.fresh(job));
  }

  async get(id: string): Promise<Job | undefined> {
    const entry = this.live.get(id);
    return entry ? { ...entry.job } : this.options.jobs.get(id);
  }

  /** Resolves with the job once it is over and its engine process is gone (or at once when it is not running). */
  async whenSettled(id: string): Promise<Job | undefined> {
    const entry = this.live.get(id);
    return entry ? entry.settled : this.options.jobs.get(id);
  }

  /** Stops every engine (gracefully, then by force); their jobs become interrupted, resumable from a checkpoint. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const entries = [...this.live.values()];
    for (const entry of entries) this.rec.guard(`stop job ${entry.job.id}`, () => this.requestStop(entry, 'shutdown'));
    await Promise.all(entries.map((e) => e.settled));
  }

  private async launch(job: Job, eventType: 'running' | 'resumed'): Promise<Job> {
    let proc: EngineProcess;
    try {
      proc = this.options.launcher.launch({ jobId: job.id });
    } catch (err) {
      Object.assign(job, { state: 'failed', reason: `could not start the engine: ${errorText(err)}`, endedAt: now() });
      await this.rec.persist(job, 'failed', { error: errorText(err) });
      this.rec.emitUpdated(job);
      return { ...job };
    }
    Object.assign(job, { state: 'running', pid: proc.pid ?? null, startedAt: job.startedAt ?? now(), endedAt: null, reason: null, resumable: false });
    const entry = newLiveJob(job, proc);
    this.live.set(job.id, entry);
    proc.onMessage((raw) => this.rec.guard(`message of job ${job.id}`, () => this.onMessage(entry, raw)));
    proc.onExit((code, signal) => this.rec.guard(`exit of job ${job.id}`, () => this.onExit(entry, code, signal)));
    const tick = Math.max(50, Math.min(HEARTBEAT_MS, this.heartbeatTimeoutMs / 4));
    entry.timers.push(setInterval(() => this.rec.guard(`watch job ${job.id}`, () => this.watch(entry)), tick));
    const journaled = this.rec.persist(job, eventType, { pid: job.pid });
    this.rec.emitUpdated(job);
    this.rec.guard(`start job ${job.id}`, () => proc.send({ type: 'start', jobId: job.id, kind: job.kind, params: job.params, runDir: job.runDir }));
    await journaled;
    return { ...entry.job };
  }

  private onMessage(entry: LiveJob, raw: unknown): void {
    entry.lastSign = Date.now();
    const { job } = entry;
    if (job.pid === null && entry.proc.pid !== undefined) {
      job.pid = entry.proc.pid; // utility processes learn their pid only after spawning
      void this.rec.persist(job, 'pid', { pid: job.pid });
    }
    const parsed = FromEngine.safeParse(raw);
    if (!parsed.success) {
      this.rec.emit('job.log', { id: job.id, level: 'warn', text: `ignored an invalid engine message: ${parsed.error.message}` });
      return;
    }
    const msg = parsed.data;
    if (entry.outcome && msg.type !== 'log') return;
    switch (msg.type) {
      case 'heartbeat':
        return;
      case 'progress': {
        Object.assign(job, { progress: msg.progress, message: msg.message });
        this.rec.emit('job.progress', { id: job.id, progress: msg.progress, message: msg.message, rate: msg.rate, etaSeconds: msg.etaSeconds });
        if (Date.now() - entry.lastProgressJournal >= this.progressJournalMs) {
          entry.lastProgressJournal = Date.now();
          void this.rec.persist(job, 'progress', { progress: msg.progress, message: msg.message });
        }
        return;
      }
      case 'log':
        this.rec.emit('job.log', { id: job.id, level: msg.level, text: msg.text });
        if (msg.level === 'warn' || msg.level === 'error') void this.rec.persist(job, 'log', { level: msg.level, text: msg.text });
        return;
      case 'metrics':
        this.rec.emit('job.metrics', { id: job.id, step: msg.step, values: msg.values });
        return;
      case 'checkpoint':
        void this.rec.persist(job, 'checkpoint', { step: msg.step, path: msg.path });
        return;
      case 'done':
        job.progress = 1;
        return this.finish(entry, 'completed', null, msg.result ?? null);
      case 'failed':
        return this.finish(entry, 'failed', msg.error, { error: msg.error });
      case 'cancelled':
        // An engine that stopped because the app is closing is not "cancelled": the user may resume it.
        if (entry.stopIntent === 'shutdown') return this.finish(entry, 'interrupted', reasons.closed);
        return this.finish(entry, 'cancelled', reasons.cancelled);
    }
  }

  private onExit(entry: LiveJob, code: number | null, signal: string | null): void {
    if (entry.exited) return;
    entry.exited = true;
    clearTimers(entry);
    this.live.delete(entry.job.id);
    if (!entry.outcome) {
      const verdict = entry.killedFor ?? { state: 'failed' as const, reason: reasons.exit(code, signal) };
      this.finish(entry, verdict.state, verdict.reason, { code, signal });
    }
    void entry.finalWrite.then(() => entry.resolveSettled({ ...entry.job }));
  }

  /** Records the job's terminal state once; the first outcome wins (a late exit code cannot overwrite "done"). */
  private finish(entry: LiveJob, state: JobState, reason: string | null, payload: unknown = null): void {
    if (entry.outcome) return;
    entry.outcome = true;
    const resumable = RESUMABLE_STATES.has(state) && jobKinds[entry.job.kind].canResume(entry.job.runDir);
    Object.assign(entry.job, { state, reason, resumable, endedAt: now() });
    entry.finalWrite = this.rec.persist(entry.job, state, payload);
    this.rec.emitUpdated(entry.job);
    // An engine that reported its outcome exits at once; one that lingers is killed, so no engine outlives its job.
    if (!entry.exited) entry.timers.push(setTimeout(() => this.rec.guard('reap', () => this.kill(entry, null)), this.graceMs));
  }

  private requestStop(entry: LiveJob, intent: StopIntent): void {
    if (entry.outcome || entry.stopIntent) return;
    entry.stopIntent = intent;
    entry.proc.send({ type: 'cancel' });
    void this.rec.persist(entry.job, intent === 'cancel' ? 'cancel-requested' : 'stop-requested');
    const onKill = intent === 'cancel'
      ? { state: 'cancelled' as const, reason: reasons.graceKill }
      : { state: 'interrupted' as const, reason: `${reasons.closed} (${reasons.graceKill})` };
    entry.timers.push(setTimeout(() => this.rec.guard('grace', () => this.kill(entry, onKill)), this.graceMs));
  }

  private watch(entry: LiveJob): void {
    const t = Date.now();
    // Our own tick came late (laptop asleep, main's loop blocked): the engine's messages may be queued unread, so its
    // silence proves nothing yet; give it a fresh window instead of killing a healthy engine.
    if (t - entry.lastWatch > this.heartbeatTimeoutMs / 2) entry.lastSign = t;
    entry.lastWatch = t;
    if (entry.outcome || entry.killedFor) return;
    if (t - entry.lastSign > this.heartbeatTimeoutMs) this.kill(entry, { state: 'failed', reason: reasons.unresponsive });
  }

  /** SIGKILL; if even that brings no exit notice, record the outcome anyway so the job never hangs in "running". */
  private kill(entry: LiveJob, verdict: LiveJob['killedFor']): void {
    if (entry.exited) return;
    if (!entry.outcome && !entry.killedFor) entry.killedFor = verdict;
    entry.proc.kill('SIGKILL');
    entry.timers.push(setTimeout(() => this.rec.guard('backstop', () => this.onExit(entry, null, 'SIGKILL')), KILL_BACKSTOP_MS));
  }

  private fresh(job: Job): Job {
    const entry = this.live.get(job.id);
    return entry ? { ...entry.job } : job;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
