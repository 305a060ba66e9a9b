// Registry of the job kinds an engine process can run; each kind is loaded only when a job of it starts, so a
// self-test does not pay for importing the trainer and onnxruntime.
import type { JobKind } from '../../common/jobs';
import type { EngineJob } from './types';

export const engineJobs: Record<JobKind, () => Promise<EngineJob>> = {
  selftest: async () => (await import('./selftest')).selftestJob,
  train: async () => (await import('./train')).trainJob,
  score: async () => (await import('./score')).scoreJob,
  'init-check': async () => (await import('./init-check')).initCheckJob,
  calibrate: async () => (await import('./calibrate')).calibrateJob,
};

export type { EngineJob, JobContext, JobOutcome, StopReason } from './types';
