// Our side of the LoRA step benchmark, run in its own process so its peak RSS is its own: trains STEPS steps with the
// real trainer and prints {tokens_per_s, step_s, peak_rss_mib, matmul_gflops} as JSON.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainJobParams } from '../../src-main/common/train';
import { Graph } from '../../src-main/engine/ir';
import { serializeModel } from '../../src-main/engine/onnx/serialize';
import { EngineSession } from '../../src-main/engine/runtime';
import { runTraining } from '../../src-main/engine/train/trainer';
import { readModelConfig } from '../../src-main/models/hf/config';

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
  const spec = readModelConfig(modelDir);
  // Same shape every step (batch × seq, no padding), random ids like the peer.
  const rows = Array.from({ length: batch }, (_, r) => {
    const ids = Array.from({ length: seq }, (_, i) => (r * 7919 + i * 104729) % spec.vocabSize);
    return JSON.stringify({ input_ids: ids, labels: ids });
  });
  writeFileSync(join(work, 'train.jsonl'), rows.join('\n'));
  const params: TrainJobParams = {
    modelDir, spec, trainData: join(work, 'train.jsonl'), evalData: null, padId: 0, method: 'lora',
    lora: { r: 16, alpha: 32, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter: null,
    optimizer: 'adamw', lr: 1e-4, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant',
    warmupSteps: 0, batchSize: batch, gradAccum: 1, steps, seed: 1, shuffle: false, evalEvery: 0, saveEvery: 0, threads,
  };
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
