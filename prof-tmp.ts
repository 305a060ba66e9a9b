import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainGraph } from './src-main/engine/nn';
import { EngineSession } from './src-main/engine/runtime';
import { readModelConfig } from './src-main/models/hf/config';
import { resolveWeightRefs } from './src-main/engine/train/weights';
import { TINY_MODELS, writeTinyModel } from './tests/reference/tiny-models';
import { writeFileSync } from 'node:fs';
const work = mkdtempSync(join(tmpdir(), 'prof-'));
const llama = TINY_MODELS.find((m) => m.id === 'llama')!;
const layers = Number(process.argv[2] ?? 4);
const dir = writeTinyModel(join(work, 'm'), { ...llama, id: 'b', seed: 5, config: { ...llama.config, hidden_size: 256, intermediate_size: 704, num_hidden_layers: layers, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 2048 } });
const spec = readModelConfig(dir);
for (const precision of ['fp32', 'fp16', 'bf16'] as const) {
  for (const opt of (process.argv[3] ?? 'all,disabled').split(',') as ('all' | 'disabled')[]) {
  let t = performance.now();
  const built = buildTrainGraph(spec, resolveWeightRefs(dir, work), { lora: { r: 8, alpha: 16, targets: 'all-linear', dropout: 0, init: 'gaussian' } as never, precision, lossScaleInput: precision === 'fp16' });
  const bytes = built.serialize();
  const tb = performance.now() - t;
  const f = join(work, `${precision}.onnx`);
  writeFileSync(f, bytes);
  t = performance.now();
  const s = await EngineSession.create(f, { intraOpThreads: 2, graphOptimization: opt, });
  const ts = performance.now() - t;
  await s.release();
  console.log(`${layers} layers ${precision} opt=${opt}: ${built.graph.nodes.length} nodes, build+serialize ${tb.toFixed(0)} ms, session ${ts.toFixed(0)} ms`);
  }
}
