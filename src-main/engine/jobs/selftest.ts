// The self-test job: counts steps with a sleep, reports like a training run, checkpoints, resumes, can crash or ignore cancel.
import { SelftestParams } from '../../common/jobs';
import { abortProcess } from '../worker/protocol';
import {
  appendJsonl, metricsPath, readLatestCheckpoint, trimJsonlAfterStep, writeLatestCheckpoint,
} from './run-folder';
import type { EngineJob, JobContext, JobOutcome } from './types';

/** A checkpoint every few steps, as training would: resume repeats at most this many steps. */
export const SELFTEST_CHECKPOINT_EVERY = 5;
/** How often a sleeping step looks at the stop flag, so cancel feels immediate even with long steps. */
const POLL_MS = 20;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Sleeps `ms`, waking early when a stop it honours is requested; returns false when it was woken. */
async function pause(ms: number, shouldStop: () => boolean): Promise<boolean> {
  // Even a 0 ms step yields once, as a real step's awaits do.
  if (ms <= 0) await new Promise<void>((done) => setImmediate(done));
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    if (shouldStop()) return false;
    await sleep(Math.min(left, POLL_MS));
  }
  return !shouldStop();
}

/**
 * Holds this thread synchronously for `ms`, as onnxruntime-node's session.run() does for a whole step: no timer, no
 * message, nothing else runs on it meanwhile. Atomics.wait rather than a spin, so parallel tests do not burn cores.
 */
function block(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Where to start: after the run folder's checkpoint (trimming metrics written past it), else at the beginning. */
function resumePoint(ctx: JobContext): number {
  if (!ctx.runDir) return 0;
  const checkpoint = readLatestCheckpoint(ctx.runDir);
  const step = checkpoint?.step ?? 0;
  trimJsonlAfterStep(metricsPath(ctx.runDir), step);
  return step;
}

export const selftestJob: EngineJob = {
  kind: 'selftest',
  async run(ctx: JobContext): Promise<JobOutcome> {
    const params = SelftestParams.parse(ctx.params);
    // ignoreCancel ignores only main's cancel message; an orphaned engine still stops.
    const shouldStop = () => {
      const reason = ctx.stopReason();
      return reason === 'parent-gone' || (reason === 'cancel' && !params.ignoreCancel);
    };
    const first = Math.min(resumePoint(ctx), params.steps);
    if (first > 0) ctx.emit({ type: 'log', level: 'info', text: `resuming from the checkpoint at step ${first}` });
    const startedAt = Date.now();

    for (let step = first + 1; step <= params.steps; step++) {
      if (params.crashAtStep !== undefined && step >= params.crashAtStep) abortProcess();
      block(params.blockMs ?? 0);
      if (!(await pause(params.stepMs, shouldStop))) return { status: 'stopped' };

      const values = { value: step };
      if (ctx.runDir) appendJsonl(metricsPath(ctx.runDir), { step, ...values, pid: process.pid });
      ctx.emit({ type: 'metrics', step, values });

      const seconds = (Date.now() - startedAt) / 1000;
      const rate = seconds > 0 ? (step - first) / seconds : null;
      ctx.emit({
        type: 'progress', progress: step / params.steps, message: `step ${step}/${params.steps}`,
        rate, etaSeconds: rate ? (params.steps - step) / rate : null,
      });

      if (ctx.runDir && (step % SELFTEST_CHECKPOINT_EVERY === 0 || step === params.steps)) {
        const path = writeLatestCheckpoint(ctx.runDir, { step, at: new Date().toISOString() });
        ctx.emit({ type: 'checkpoint', step, path });
      }
    }
    return { status: 'done', result: { steps: params.steps, resumedFrom: first } };
  },
};
