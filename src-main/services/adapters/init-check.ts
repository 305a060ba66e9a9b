// adapter.initCheck / adapter.initCheckResult: the Adapter wizard's proof that a fresh adapter leaves step 0 identical to
// the base model, measured on the user's own model folder by an `init-check` engine job (forward passes only).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApiError } from '../../common/errors';
import type { InitCheckResult, Job } from '../../common/jobs';
import { LoraSettings, type TrainStartInput } from '../../common/train';
import { checkpointFiles } from '../../engine/io/checkpoint-files';
import { INIT_CHECK_FILE } from '../../engine/jobs/init-check';
import { readModelConfig } from '../../models/hf/config';

export interface InitCheckJobs {
  start(kind: 'init-check', params: Record<string, unknown>, opts: { runDir: string }): Promise<Job>;
  get(id: string): Promise<Job | null | undefined>;
}

export type InitCheckInput = Pick<TrainStartInput, 'model' | 'rank' | 'alpha' | 'targets' | 'lora_init' | 'use_rslora' | 'use_dora' | 'seed'>;

export async function startInitCheck(input: InitCheckInput, runsDir: string, jobs: InitCheckJobs): Promise<Job> {
  const modelDir = resolve(input.model);
  // A catalog name has no weights to run: the check needs the folder the run will train on.
  if (!existsSync(join(modelDir, 'config.json'))) throw new ApiError('invalid-input', `${input.model} is not a model folder (no config.json): the check runs the model's own weights.`);
  try {
    readModelConfig(modelDir);
    checkpointFiles(modelDir);
  } catch (err) {
    throw new ApiError('invalid-input', (err as Error).message);
  }
  const lora = LoraSettings.safeParse({
    r: input.rank ?? 8, alpha: input.alpha ?? 16, targets: input.targets ?? 'all-linear', init: input.lora_init ?? 'gaussian',
    ...(input.use_rslora ? { useRslora: true } : {}), ...(input.use_dora ? { useDora: true } : {}),
  });
  if (!lora.success) throw new ApiError('invalid-input', `Invalid LoRA settings: ${lora.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const runDir = join(runsDir, `init-check-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(runDir, { recursive: true });
  return jobs.start('init-check', { modelDir, lora: lora.data, seed: input.seed ?? 42 }, { runDir });
}

export interface InitCheckStatus { state: Job['state']; reason: string | null; result: InitCheckResult | null }

export async function initCheckResult(id: string, jobs: InitCheckJobs): Promise<InitCheckStatus> {
  const job = await jobs.get(id);
  if (!job || job.kind !== 'init-check') throw new ApiError('not-found', `No init-check job ${id}.`);
  const file = job.runDir ? join(job.runDir, INIT_CHECK_FILE) : null;
  const result = job.state === 'completed' && file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as InitCheckResult) : null;
  return { state: job.state, reason: job.reason, result };
}
