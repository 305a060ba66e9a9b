// Registry of the job kinds an engine process can run; the host looks kinds up here.
import type { JobKind } from '../../common/jobs';
import { selftestJob } from './selftest';
import { trainJob } from './train';
import type { EngineJob } from './types';

export const engineJobs: Record<JobKind, EngineJob> = {
  selftest: selftestJob,
  train: trainJob,
};

export type { EngineJob, JobContext, JobOutcome, StopReason } from './types';
