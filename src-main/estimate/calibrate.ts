// The second calibration: the measured tokens/s of earlier runs (the MatMul benchmark is the engine's,
// engine/jobs/calibrate-matmul.ts). Pure file reading, so main can use it without loading the runtime.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MeasuredRate {
  /** Median tokens/s of the optimizer steps after the first. */
  tokensPerSecond: number;
  /** Median input tokens per optimizer step (padding excluded): with the batch shape, the run's mean length. */
  tokensPerStep: number;
  steps: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median tokens/s of the optimizer steps in a run folder's metrics.jsonl, skipping the first step (it pays session
 * start-up and first-touch allocations). Null when the run has fewer than two steps.
 */
export function measuredRate(runDir: string): MeasuredRate | null {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return null;
  const rows: { tps: number; tokens: number }[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as { step?: number; tokens_per_s?: number; loss?: number; tokens?: number };
      if (typeof row.loss === 'number' && typeof row.tokens_per_s === 'number' && row.tokens_per_s > 0) rows.push({ tps: row.tokens_per_s, tokens: row.tokens ?? 0 });
    } catch {
      // a torn last line after a crash
    }
  }
  const steady = rows.slice(1);
  if (!steady.length) return null;
  return { tokensPerSecond: median(steady.map((r) => r.tps)), tokensPerStep: median(steady.map((r) => r.tokens)), steps: rows.length };
}

export function measuredTokensPerSecond(runDir: string): number | null {
  return measuredRate(runDir)?.tokensPerSecond ?? null;
}
