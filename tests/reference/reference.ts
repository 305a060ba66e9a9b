// Runs causal_lm_reference.py (plain-torch HF semantics) once over many cases and parses its JSON.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PYTHON, pythonHas } from './python-modules';

export { PYTHON };
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'causal_lm_reference.py');

/** True when /usr/bin/python3 can import torch (Debian python3-torch). */
export const hasTorch = pythonHas('torch');

export interface RefCase {
  id: string;
  model_dir: string;
  input_ids: number[][];
  labels: number[][];
  /** use_rslora: scale alpha/√r; use_dora: the file also holds each module's `…lora_magnitude_vector` [out]. */
  lora: null | { r: number; alpha: number; targets: string[]; file: string; use_rslora?: boolean; use_dora?: boolean };
  /** Also return gradients of every base weight. */
  grad_weights?: boolean;
  dtypes?: ('float64' | 'float32')[];
  /** Emulated autocast rounding (autocast_reference.py), with dtypes ['float32']. */
  precision?: 'bf16' | 'fp16';
  /** Also take one SGD step p − lr·grad(loss mean) on the LoRA tensors: RefResult.stepped and loss_after. */
  sgd_lr?: number;
}

export interface RefResult {
  loss: number;
  loss_sum: number;
  token_count: number;
  grads: Record<string, number[]>;
  /** RoPE inverse frequencies as HF computes them (float32 values). */
  inv_freq: number[];
  /** With sgd_lr: the LoRA tensors after the step, and the mean loss on the same batch after it. */
  stepped?: Record<string, number[]>;
  loss_after?: number;
}

export type RefResults = Record<string, Partial<Record<'float64' | 'float32', RefResult>>>;

/** One python process for all cases (torch's import dominates the cost). */
export function runReference(cases: RefCase[], workDir: string): RefResults {
  const job = join(workDir, 'reference-job.json');
  writeFileSync(job, JSON.stringify({ cases }));
  const out = execFileSync(PYTHON, [SCRIPT, job], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return JSON.parse(out) as RefResults;
}
