// The app's way to start training: the Train page's values → a checked config → a prepared run folder → a job.
import { join } from 'node:path';
import { ApiError } from '../../common/errors';
import type { Job } from '../../common/jobs';
import type { TrainStartInput } from '../../common/train';
import type { JobSupervisor } from '../../jobs/supervisor';
import { resolveTrainConfig } from './config';
import { prepareRun } from './prepare-run';

/** Run folders of the app live under runs/ in its data folder, named by time so they sort. */
export function appRunDir(runsDir: string, now = new Date()): string {
  return join(runsDir, `train-${now.toISOString().replace(/[:.]/g, '-')}`);
}

export async function startTrainingFromApp(input: TrainStartInput, runsDir: string, supervisor: JobSupervisor): Promise<Job> {
  const config = resolveTrainConfig({ values: input, cwd: runsDir, defaultOut: () => appRunDir(runsDir) });
  let prepared;
  try {
    prepared = await prepareRun(config);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // Bad model folders and data files are the user's to fix: say so as input errors, with the message as it is.
    throw new ApiError('invalid-input', err instanceof Error ? err.message : String(err));
  }
  return supervisor.start('train', prepared.params, { runDir: prepared.outDir });
}
