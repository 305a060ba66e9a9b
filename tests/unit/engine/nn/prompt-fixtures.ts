// Shared setup of the prompt-learning tests: the configs under test, param feeds, and the prompt_reference.py runner.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../../../../src-main/common/model-spec';
import { promptParamShapes, type PromptConfig } from '../../../../src-main/engine/nn/prompt';
import type { Feed } from '../../../../src-main/engine/runtime';
import { writeSafetensors } from '../../../../src-main/models/safetensors';
import { PYTHON } from '../../../reference/python-modules';

/** One config per method and encoder; sizes differ so that a mixed-up axis cannot pass by symmetry. */
export const PROMPT_CONFIGS: Record<string, PromptConfig> = {
  'ptuning-lstm': { kind: 'ptuning', virtualTokens: 4, encoder: 'lstm', encoderHidden: 24 },
  'ptuning-mlp': { kind: 'ptuning', virtualTokens: 5, encoder: 'mlp', encoderHidden: 48 },
  'ptuning-none': { kind: 'ptuning', virtualTokens: 3, encoder: 'none', encoderHidden: 0 },
  prefix: { kind: 'prefix', virtualTokens: 4, projection: false, encoderHidden: 0 },
  'prefix-proj': { kind: 'prefix', virtualTokens: 5, projection: true, encoderHidden: 40 },
};

export function promptFeeds(spec: ModelSpec, cfg: PromptConfig, values: ReadonlyMap<string, Float32Array>): Record<string, Feed> {
  return Object.fromEntries(promptParamShapes(spec, cfg).map((p) => [p.name, { data: values.get(p.name) as Float32Array, dims: p.shape }]));
}

export function writePromptParams(file: string, spec: ModelSpec, cfg: PromptConfig, values: ReadonlyMap<string, Float32Array>): void {
  writeSafetensors(file, promptParamShapes(spec, cfg).map((p) => ({ name: p.name, dtype: 'F32' as const, shape: p.shape, data: values.get(p.name) as Float32Array })));
}

/** The reference's view of a PromptConfig. */
export function refPrompt(cfg: PromptConfig): Record<string, unknown> {
  return cfg.kind === 'ptuning'
    ? { kind: 'ptuning', virtual_tokens: cfg.virtualTokens, encoder: cfg.encoder, encoder_hidden: cfg.encoderHidden }
    : { kind: 'prefix', virtual_tokens: cfg.virtualTokens, projection: cfg.projection, encoder_hidden: cfg.encoderHidden };
}

export interface PromptRefCase {
  id: string;
  model_dir: string;
  input_ids: number[][];
  labels: number[][];
  params_file: string;
  prompt: Record<string, unknown>;
  lr: number;
  dtypes?: ('float64' | 'float32')[];
}

export interface PromptRefResult {
  loss: number;
  loss_sum: number;
  token_count: number;
  grads: Record<string, number[]>;
  loss_after: number;
  prompt_embeddings: number[];
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../../reference/prompt_reference.py');

/** One python process for every case. */
export function runPromptReference(cases: PromptRefCase[], workDir: string): Record<string, Partial<Record<'float64' | 'float32', PromptRefResult>>> {
  const job = join(workDir, 'prompt-reference-job.json');
  writeFileSync(job, JSON.stringify({ cases }));
  const out = execFileSync(PYTHON, [SCRIPT, job], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return JSON.parse(out) as Record<string, Partial<Record<'float64' | 'float32', PromptRefResult>>>;
}
