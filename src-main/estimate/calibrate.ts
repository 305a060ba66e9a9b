// Calibration: this CPU's fp32 MatMul rate through our runtime (≤ 10 s), and the measured tokens/s of earlier runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Graph } from '../engine/ir';
import { serializeModel } from '../engine/onnx/serialize';
import { EngineSession } from '../engine/runtime';

export interface MatmulCalibration { gflops: number; n: number; runs: number; seconds: number; threads: number }

/**
 * ORT's own fp32 MatMul rate on an n³ product (as tests/bench/lora-step-ours.ts measures it): the peak our graphs can
 * hope for. Warms up, then repeats until `budgetS` is spent (capped at 10 s), and reports the best run's rate: the
 * best is the machine's, the rest is noise from other processes.
 */
export async function measureMatmulGflops(threads = 2, budgetS = 3, n = 1024): Promise<MatmulCalibration> {
  const budget = Math.min(budgetS, 10) * 1000;
  const g = new Graph('calibrate-matmul');
  const a = g.input('a', 'float32', [n, n]);
  const b = g.input('b', 'float32', [n, n]);
  g.output(g.matmul(a, b), 'c');
  const session = await EngineSession.create(serializeModel(g), { intraOpThreads: threads });
  const data = new Float32Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000; // deterministic, not all zeros
  const x = { data, dims: [n, n] };
  const start = performance.now();
  try {
    await session.run({ a: x, b: x });
    let best = Infinity;
    let runs = 0;
    do {
      const t0 = performance.now();
      await session.run({ a: x, b: x });
      best = Math.min(best, performance.now() - t0);
      runs++;
    } while (runs < 3 || performance.now() - start < budget);
    return { gflops: (2 * n ** 3) / (best / 1000) / 1e9, n, runs, seconds: (performance.now() - start) / 1000, threads };
  } finally {
    await session.release();
  }
}

/**
 * Median tokens/s of the optimizer steps in a run folder's metrics.jsonl, skipping the first step (it pays session
 * start-up and first-touch allocations). Null when the run has fewer than two steps.
 */
export function measuredTokensPerSecond(runDir: string): number | null {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return null;
  const rates: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as { step?: number; tokens_per_s?: number; loss?: number };
      if (typeof row.loss === 'number' && typeof row.tokens_per_s === 'number' && row.tokens_per_s > 0) rates.push(row.tokens_per_s);
    } catch {
      // a torn last line after a crash
    }
  }
  const steady = rates.slice(1).sort((a, b) => a - b);
  return steady.length ? steady[Math.floor(steady.length / 2)] : null;
}
