// This CPU's fp32 MatMul rate through our runtime: the one benchmark behind `ftstudio estimate --calibrate` and the
// app's `calibrate` job (it lives in the engine because only the engine loads onnxruntime).
import { Graph } from '../ir';
import { serializeModel } from '../onnx/serialize';
import { EngineSession } from '../runtime';

export interface MatmulCalibration { gflops: number; n: number; runs: number; seconds: number; threads: number }

export interface MatmulOptions {
  /** Called after each timed run with the share of the budget spent. */
  onProgress?: (share: number) => void;
  /** Checked between runs: true ends the measurement early (the best run so far still counts). */
  shouldStop?: () => boolean;
}

/**
 * ORT's own fp32 MatMul rate on an n³ product (as tests/bench/lora-step-ours.ts measures it): the peak our graphs can
 * hope for. Warms up, then repeats until `budgetS` is spent (capped at 10 s), and reports the best run's rate: the
 * best is the machine's, the rest is noise from other processes.
 */
export async function measureMatmulGflops(threads = 2, budgetS = 3, n = 1024, opts: MatmulOptions = {}): Promise<MatmulCalibration> {
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
      opts.onProgress?.(Math.min(1, (performance.now() - start) / budget));
    } while ((runs < 3 || performance.now() - start < budget) && !opts.shouldStop?.());
    return { gflops: (2 * n ** 3) / (best / 1000) / 1e9, n, runs, seconds: (performance.now() - start) / 1000, threads };
  } finally {
    await session.release();
  }
}
