// Our side of the LoRA step benchmark, run in its own process so its peak RSS is its own: trains STEPS steps with the
// real trainer and prints {tokens_per_s, step_s, peak_rss_mib, matmul_gflops} as JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Graph } from '../../src-main/engine/ir';
import { serializeModel } from '../../src-main/engine/onnx/serialize';
import { EngineSession } from '../../src-main/engine/runtime';
import { runTraining } from '../../src-main/engine/train/trainer';
import { benchTrainParams } from './bench-run';

const [modelDir, batchArg, seqArg, stepsArg, threadsArg] = process.argv.slice(2);
const [batch, seq, steps, threads] = [batchArg, seqArg, stepsArg, threadsArg].map(Number);

/** ORT's own fp32 MatMul rate on this machine, 1024³, as the peak our graphs can hope for. */
async function matmulPeak(): Promise<number> {
  const g = new Graph('mm');
  const a = g.input('a', 'float32', [1024, 1024]);
  const b = g.input('b', 'float32', [1024, 1024]);
  g.output(g.matmul(a, b), 'c');
  const s = await EngineSession.create(serializeModel(g), { intraOpThreads: threads });
  const x = { data: Float32Array.from({ length: 1024 * 1024 }, () => Math.random()), dims: [1024, 1024] };
  for (let i = 0; i < 3; i++) await s.run({ a: x, b: x });
  const n = 20;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await s.run({ a: x, b: x });
  const gflops = (2 * 1024 ** 3 * n) / ((performance.now() - t0) / 1000) / 1e9;
  await s.release();
  return gflops;
}

const work = mkdtempSync(join(tmpdir(), 'ftstudio-bench-'));
try {
  const params = benchTrainParams(modelDir, work, { batch, seq, steps, threads, rank: 16 });
  const t0 = performance.now();
  await runTraining(params, join(work, 'run'), { emit: () => {}, stopReason: () => null });
  const totalS = (performance.now() - t0) / 1000;
  const rows2 = readFileSync(join(work, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  // The first step pays one-off allocations: time the steady ones.
  const stepS = (rows2.at(-1).elapsed_s - rows2[0].elapsed_s) / (rows2.length - 1);
  const peak = await matmulPeak();
  process.stdout.write(JSON.stringify({
    tokens_per_s: (batch * seq) / stepS, step_s: stepS, steps_timed: rows2.length - 1, setup_and_run_s: totalS,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024, matmul_gflops: peak,
  }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
