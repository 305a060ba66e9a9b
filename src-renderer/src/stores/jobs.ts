// Jobs (engine processes): the list, starting and cancelling them, and their live progress, rate, ETA and log from events.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Job, JobKind, JobLogEvent, JobProgressEvent, JobState } from '../../../src-main/common/jobs';
import { api } from '../api';
import { describeError } from '../format';

/** What progress events add to a job that the Job record itself does not carry. */
export interface JobLive {
  rate: number | null;
  etaSeconds: number | null;
}

const TERMINAL: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
const LOG_LINES_KEPT = 200;
export const SELFTEST_PARAMS = { steps: 20, stepMs: 100 } as const;

export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

export const useJobsStore = defineStore('jobs', () => {
  const byId = ref<Record<string, Job>>({});
  const live = ref<Record<string, JobLive>>({});
  const logs = ref<Record<string, JobLogEvent[]>>({});
  const loading = ref(false);
  const error = ref<string | null>(null);
  const starting = ref(false);
  const cancelling = ref<Record<string, boolean>>({});
  const fetching = new Set<string>();

  /** Newest first. */
  const jobs = computed(() => Object.values(byId.value).sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
  const activeCount = computed(() => jobs.value.filter((job) => !isTerminal(job.state)).length);

  function upsert(job: Job): void {
    const known = byId.value[job.id];
    // A late list reply must not bring a finished job back to life.
    if (known && isTerminal(known.state) && !isTerminal(job.state)) return;
    byId.value[job.id] = job;
    if (isTerminal(job.state)) delete live.value[job.id];
  }

  function applyUpdated(job: Job): void {
    byId.value[job.id] = job;
    if (isTerminal(job.state)) delete live.value[job.id];
  }

  function applyProgress(event: JobProgressEvent): void {
    const job = byId.value[event.id];
    if (!job) {
      void fetchOne(event.id);
      return;
    }
    if (isTerminal(job.state)) return; // a straggler after the end
    byId.value[event.id] = { ...job, progress: Math.min(1, Math.max(0, event.progress)), message: event.message ?? job.message };
    live.value[event.id] = { rate: event.rate, etaSeconds: event.etaSeconds };
  }

  function applyLog(event: JobLogEvent): void {
    const lines = logs.value[event.id] ?? (logs.value[event.id] = []);
    lines.push(event);
    if (lines.length > LOG_LINES_KEPT) lines.splice(0, lines.length - LOG_LINES_KEPT);
  }

  /** A job we hear about before we know it (started from another window or the CLI): ask for it once. */
  async function fetchOne(id: string): Promise<void> {
    if (fetching.has(id)) return;
    fetching.add(id);
    try {
      upsert(await api.call('jobs.get', { id }));
    } catch {
      // it will come with the next job.updated or list
    } finally {
      fetching.delete(id);
    }
  }

  async function load(): Promise<void> {
    loading.value = true;
    try {
      for (const job of await api.call('jobs.list', {})) upsert(job);
      error.value = null;
    } catch (err) {
      error.value = describeError(err);
    } finally {
      loading.value = false;
    }
  }

  async function start(kind: JobKind, params: Record<string, unknown>): Promise<Job | null> {
    starting.value = true;
    try {
      const job = await api.call('jobs.start', { kind, params });
      upsert(job);
      error.value = null;
      return job;
    } catch (err) {
      error.value = describeError(err);
      return null;
    } finally {
      starting.value = false;
    }
  }

  function startSelftest(): Promise<Job | null> {
    return start('selftest', { ...SELFTEST_PARAMS });
  }

  async function cancel(id: string): Promise<void> {
    cancelling.value[id] = true;
    try {
      upsert(await api.call('jobs.cancel', { id }));
      error.value = null;
    } catch (err) {
      error.value = describeError(err);
    } finally {
      delete cancelling.value[id];
    }
  }

  async function resume(id: string): Promise<void> {
    try {
      // The reply is authoritative: a resumed job legitimately leaves its terminal state.
      applyUpdated(await api.call('jobs.resume', { id }));
      error.value = null;
    } catch (err) {
      error.value = describeError(err);
    }
  }

  api.on('job.updated', applyUpdated);
  api.on('job.progress', applyProgress);
  api.on('job.log', applyLog);
  let lost = false;
  api.onConnectionChange((state) => {
    // Events sent while we were away are lost: the list is the truth after a reconnect.
    if (state.status === 'disconnected') lost = true;
    else if (state.status === 'connected' && lost) {
      lost = false;
      void load();
    }
  });

  return {
    byId, live, logs, jobs, activeCount, loading, error, starting, cancelling,
    load, start, startSelftest, cancel, resume, applyUpdated, applyProgress, applyLog,
  };
});
