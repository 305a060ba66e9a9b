// Where the supervisor's records go (journal, event hub, error sink), wrapped so no failure there reaches main's loop.
import type { Job } from '../common/jobs';
import type { EventHub } from '../services/api-dispatch';
import type { JobsRepo } from '../store';

type Journal = Pick<JobsRepo, 'save'>;

export type ErrorSink = (err: unknown, context: string) => void;

export class JobRecorder {
  constructor(private readonly jobs: Journal, private readonly hub: EventHub, private readonly onError?: ErrorSink) {}

  /** Journals a snapshot (the save is queued, and the live object keeps changing). Never rejects. */
  persist(job: Job, eventType: string, payload: unknown = null): Promise<void> {
    return this.jobs.save({ ...job }, eventType, payload).catch((err) => this.report(err, `journal ${eventType} of job ${job.id}`));
  }

  emitUpdated(job: Job): void {
    this.emit('job.updated', { ...job });
  }

  /** The hub validates payloads and may throw; a bad event is reported, never fatal. */
  emit(...args: Parameters<EventHub['emit']>): void {
    this.guard(`emit ${args[0]}`, () => this.hub.emit(...args));
  }

  /** Every callback from an engine runs through here: whatever it throws is reported, never rethrown. */
  guard(context: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report(err, context);
    }
  }

  report(err: unknown, context: string): void {
    try {
      (this.onError ?? ((e, c) => console.error(`[jobs] ${c}:`, e)))(err, context);
    } catch {
      // a failing error reporter must not take main down either
    }
  }
}
