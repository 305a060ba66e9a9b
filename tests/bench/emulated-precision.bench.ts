// Benchmark: what emulated mixed precision costs on the CPU, per precision, through the real trainer — setup (graph
// build and onnxruntime session creation, before the first step) and the median step.
// Run: npx tsx tests/bench/emulated-precision.bench.ts [layers=8] [steps=4]   Prints one JSON object.
// Model: llama-style, H 512, intermediate 1408, 8 heads (4 kv), vocab 4096; LoRA r 8 on every projection; batch 4 × 128;
// 2 threads. onnxruntime's session setup grows faster than linearly with the node count, so the rounding's node count
// matters as much as its arithmetic (precision/emulate.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainMetricsRow } from '../../src-main/common/train';
import { ModelProto } from '../../src-main/engine/onnx/proto';
import { runTraining } from '../../src-main/engine/train/trainer';
import { TINY_MODELS, writeTinyModel } from '../reference/tiny-models';
import { benchTrainParams } from './bench-run';

const LAYERS = Number(process.argv[2] ?? 8);
const STEPS = Number(process.argv[3] ?? 4);
const work = mkdtempSync(join(tmpdir(), 'bench-emulated-'));
const llama = TINY_MODELS.find((m) => m.id === 'llama')!;
const modelDir = writeTinyModel(join(work, 'model'), {
  ...llama, id: 'bench', seed: 3,
  config: { ...llama.config, hidden_size: 512, intermediate_size: 1408, num_hidden_layers: LAYERS, num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 4096 },
});
const results: Record<string, unknown> = {};
try {
  for (const precision of ['fp32', 'fp16', 'bf16'] as const) {
    const dir = join(work, precision);
    const params = { ...benchTrainParams(modelDir, work, { batch: 4, seq: 128, steps: STEPS, threads: 2, rank: 8 }), ...(precision !== 'fp32' ? { precision } : {}) };
    const t0 = performance.now();
    let firstMetrics: number | null = null;
    await runTraining(params, dir, {
      emit: (m) => { if (m.type === 'metrics' && firstMetrics === null) firstMetrics = (performance.now() - t0) / 1000; },
      stopReason: () => null,
    });
    const rows = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetricsRow).filter((r) => 'loss' in r);
    const steps = rows.map((r, i) => r.elapsed_s - (i ? rows[i - 1].elapsed_s : 0)).slice(1).sort((a, b) => a - b);
    const nodes = (ModelProto.decode(readFileSync(join(dir, 'graph', 'train.onnx'))) as unknown as { graph: { node: unknown[] } }).graph.node.length;
    // The first metrics row arrives after step 1, whose own time is its elapsed_s: setup is the rest.
    const setup = (firstMetrics ?? NaN) - rows[0].elapsed_s;
    results[precision] = { setup_s: +setup.toFixed(2), median_step_s: +steps[Math.floor(steps.length / 2)].toFixed(3), last_loss: +rows.at(-1)!.loss.toFixed(4), train_graph_nodes: nodes };
    console.error(precision, JSON.stringify(results[precision]));
  }
  console.log(JSON.stringify({ bench: 'emulated-precision', model: `llama-style H 512, ${LAYERS} layers, vocab 4096, LoRA r 8 all-linear, batch 4 × 128, 2 threads`, results }, null, 1));
} finally {
  rmSync(work, { recursive: true, force: true });
}
