// Runs merge_reference.py (a plain-torch LoRA merge) against a merged folder and returns its comparison.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from '../reference';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'merge_reference.py');

export interface MergeComparison {
  tensors: number;
  merged: string[];
  max_abs_diff: Record<string, number>;
  mismatched_elements: Record<string, number>;
  dtypes: Record<string, string>;
  unchanged_equal: boolean;
  missing: string[];
  extra: string[];
}

export function compareWithReferenceMerge(baseDir: string, adapterDir: string, mergedDir: string): MergeComparison {
  const out = execFileSync(PYTHON, [SCRIPT, baseDir, adapterDir, mergedDir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return JSON.parse(out) as MergeComparison;
}
