// Main's view of each job kind: how its parameters are validated and whether its run folder allows a resume.
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { CalibrateParams } from '../common/calibration';
import { ApiError } from '../common/errors';
import { InitCheckParams, JobKind, ScoreParams, SelftestParams } from '../common/jobs';
import { TrainJobParams } from '../common/train';
import { readLatestCheckpoint } from '../engine/jobs/run-folder';
import { scoresPath } from '../engine/jobs/score-file';

export interface JobKindSpec {
  params: z.ZodType<Record<string, unknown>>;
  /** Reads only the run folder (the truth after a crash); no engine code runs in main. */
  canResume(runDir: string | null): boolean;
}

export const jobKinds: Record<JobKind, JobKindSpec> = {
  selftest: {
    params: SelftestParams,
    canResume: (runDir) => runDir !== null && readLatestCheckpoint(runDir) !== null,
  },
  train: {
    params: TrainJobParams,
    canResume: (runDir) => runDir !== null && readLatestCheckpoint(runDir) !== null,
  },
  // Scores are appended per record, so any scores file is a resume point (the job skips the idx it holds). A job
  // given its own outFile is not seen here (only the run folder is read); it resumes by starting again with that file.
  score: {
    params: ScoreParams,
    canResume: (runDir) => runDir !== null && existsSync(scoresPath(runDir)),
  },
  // A few forward passes: nothing to resume, a failed check is simply run again.
  'init-check': {
    params: InitCheckParams,
    canResume: () => false,
  },
  // Seconds of MatMuls: a stopped calibration is measured again, not continued.
  calibrate: {
    params: CalibrateParams,
    canResume: () => false,
  },
};

/** Checks a start request (callers like the CLI may pass anything); defaults are filled in. Throws invalid-input. */
export function parseJobRequest(kind: unknown, params: unknown): { kind: JobKind; params: Record<string, unknown> } {
  const known = JobKind.safeParse(kind);
  if (!known.success) throw new ApiError('invalid-input', `Unknown job kind ${JSON.stringify(kind)}.`);
  const parsed = jobKinds[known.data].params.safeParse(params ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`);
    throw new ApiError('invalid-input', `Invalid parameters for a ${known.data} job: ${issues.join('; ')}`, { issues });
  }
  return { kind: known.data, params: parsed.data };
}

/** Reasons recorded on jobs; the UI shows them as they are. */
export const reasons = {
  interrupted: 'the app stopped while this job ran',
  closed: 'the app was closed while this job ran',
  unresponsive: 'engine stopped responding',
  graceKill: 'killed after the grace period',
  cancelled: 'cancelled on request',
  /** Why a process ended without telling us its outcome. */
  exit(code: number | null, signal: string | null): string {
    if (signal) return `engine process killed by ${signal}`;
    if (code === null) return 'engine process could not be started';
    return code === 0 ? 'engine process exited (code 0) without reporting an outcome' : `engine process exited with code ${code}`;
  },
};
