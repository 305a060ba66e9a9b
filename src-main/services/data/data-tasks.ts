// Long data operations (import, clean, mix): a cancel handle per caller-chosen task id, and progress events with
// a rate and an ETA, at most a few per second.
import { ApiError } from '../../common/errors';
import type { DataProgressEvent } from '../../common/datasets';
import type { EventHub } from '../api-dispatch';

export class DataTasks {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly hub: EventHub) {}

  /** Runs WORK with a signal that data.cancel(taskId) aborts; a task id is used by one operation at a time. */
  async run<T>(taskId: string | undefined, work: (signal: AbortSignal, progress: ProgressReporter) => Promise<T>): Promise<T> {
    const id = taskId ?? `task-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    if (this.running.has(id)) throw new ApiError('conflict', `A data task with id ${id} is already running.`);
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      return await work(controller.signal, new ProgressReporter(id, (event) => this.hub.emit('data.progress', event)));
    } finally {
      this.running.delete(id);
    }
  }

  cancel(taskId: string): boolean {
    const controller = this.running.get(taskId);
    controller?.abort();
    return controller !== undefined;
  }
}

export class ProgressReporter {
  private readonly started = performance.now();
  private last = 0;

  constructor(private readonly taskId: string, private readonly send: (event: DataProgressEvent) => void) {}

  /** Emits at most every 250 ms unless FORCE; rate = done / elapsed, ETA from the rate. */
  report(phase: string, done: number, total: number | null, unit: string, force = false, records: number | null = null): void {
    const now = performance.now();
    if (!force && now - this.last < 250) return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 1e-3);
    const ratePerSecond = done / seconds;
    const etaSeconds = total !== null && ratePerSecond > 0 ? Math.max(0, (total - done) / ratePerSecond) : null;
    const recordsPerSecond = records === null ? null : records / seconds;
    this.send({ taskId: this.taskId, phase, done, total, unit, ratePerSecond, etaSeconds, records, recordsPerSecond });
  }
}
