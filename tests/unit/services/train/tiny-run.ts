// A tiny llama model folder and a two-row pre-tokenized data file in `work`, written before the describe block's tests,
// and prepareRun over them with flags (2 steps, 2 threads): the config tests' way to see the job params a setting makes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { prepareRun, resolveTrainConfig, type PreparedRun } from '../../../../src-main/services/train';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';

export interface TinyRun {
  model: string;
  data: string;
  prepare(out: string, flags: Record<string, string | boolean>): Promise<PreparedRun>;
}

/** Call inside a describe block: registers the beforeAll that writes the files. */
export function tinyRun(work: string): TinyRun {
  const model = join(work, 'model');
  const data = join(work, 'train.jsonl');
  beforeAll(() => {
    writeTinyModel(model, TINY_MODELS.find((m) => m.id === 'llama')!);
    writeFileSync(data, '{"input_ids":[1,2,3,4]}\n{"input_ids":[5,6,7]}\n');
  });
  return {
    model, data,
    prepare: (out, flags) => prepareRun(resolveTrainConfig({ flags: { model, data, out: join(work, out), steps: '2', ...flags }, defaultThreads: 2 })),
  };
}
