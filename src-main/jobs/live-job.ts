// The supervisor's bookkeeping for one job whose engine process is (or was just) alive.
import type { Job, JobState } from '../common/jobs';
import type { EngineProcess } from './launcher';

/** Why main asked the engine to stop: the user's cancel, or the app closing (the job stays resumable). */
export type StopIntent = 'cancel' | 'shutdown';

export interface LiveJob {
  job: Job;
  proc: EngineProcess;
  /** Last time the engine showed a sign of life (any message; heartbeats are the regular ones). */
  lastSign: number;
  /** When the watchdog last ran, to tell a silent engine from a main that was itself asleep. */
  lastWatch: number;
  lastProgressJournal: number;
  /** A terminal state has been recorded: later messages and exit codes change nothing. */
  outcome: boolean;
  exited: boolean;
  stopIntent: StopIntent | null;
  /** Set right before main kills the process: what to record when it then dies without reporting. */
  killedFor: { state: JobState; reason: string } | null;
  timers: NodeJS.Timeout[];
  /** The final journal write; settled resolves after it, so readers of the store see the outcome. */
  finalWrite: Promise<void>;
  settled: Promise<Job>;
  resolveSettled(job: Job): void;
}

export function newLiveJob(job: Job, proc: EngineProcess): LiveJob {
  let resolveSettled: (job: Job) => void = () => undefined;
  const settled = new Promise<Job>((done) => { resolveSettled = done; });
  return {
    job, proc, lastSign: Date.now(), lastWatch: Date.now(), lastProgressJournal: 0, outcome: false, exited: false, stopIntent: null,
    killedFor: null, timers: [], finalWrite: Promise.resolve(), settled, resolveSettled,
  };
}

export function clearTimers(entry: LiveJob): void {
  for (const t of entry.timers) clearTimeout(t); // clearTimeout clears intervals too
  entry.timers = [];
}
