// What an engine job is: a kind, and a run() (on the engine's job thread) that reports through its context and stops when asked.
import type { FromEngine } from '../../common/engine-protocol';
import type { JobKind } from '../../common/jobs';

/** Why the host wants the job to stop: a cancel message from main, or main itself is gone. */
export type StopReason = 'cancel' | 'parent-gone';

export interface JobContext {
  readonly jobId: string;
  /** Unvalidated: each job parses its own parameters (main validated them too, but the engine trusts no one). */
  readonly params: Record<string, unknown>;
  /** The run folder (the truth after any crash), or null for a job that keeps nothing. */
  readonly runDir: string | null;
  /** Sends a message to main (relayed in order by the host's main thread); heartbeats and the outcome are the host's. */
  emit(msg: FromEngine): void;
  /**
   * Checked by the job at each safe point (e.g. between steps). Synchronous and current even when the job's thread was
   * blocked (it reads shared memory the host writes), so a request made during a long step is seen right after it.
   */
  stopReason(): StopReason | null;
}

/** 'stopped': the job left its run folder consistent and returned early because stopReason() said so. */
export type JobOutcome = { status: 'done'; result?: Record<string, unknown> } | { status: 'stopped' };

export interface EngineJob {
  readonly kind: JobKind;
  run(ctx: JobContext): Promise<JobOutcome>;
}
