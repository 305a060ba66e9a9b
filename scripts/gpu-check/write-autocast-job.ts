// Writes the autocast parity test's job (tiny Qwen2-style model, a starting adapter, 10 steps of micro-batches) into a
// folder, for scripts/gpu-check/autocast_on_gpu.py to run on a CUDA machine: our emulated rounding against real autocast.
//   npx tsx scripts/gpu-check/write-autocast-job.ts OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lrAt } from '../../src-main/engine/optim';
import { readModelConfig } from '../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../tests/reference/tiny-models';
import { ALL_TARGETS, randomExamples, referenceSteps, writeExamples, writeInitAdapter } from '../../tests/unit/engine/train/helpers';

const out = resolve(process.argv[2] ?? 'gpu-check-job');
mkdirSync(out, { recursive: true });
const STEPS = 30;
const modelDir = writeTinyModel(join(out, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
const spec = readModelConfig(modelDir);
const examples = randomExamples(24, spec.vocabSize, 8);
writeInitAdapter(join(out, 'init-adapter'), spec, modelDir);
// The same examples for the engine (webgpu-check.ts): its BatchStream with batch 3, seed 7 and accumulation 2 draws
// exactly the micro-batches listed in job.steps.
writeExamples(join(out, 'train.jsonl'), examples);
const schedule = { kind: 'linear' as const, lr: 5e-3, warmupSteps: 2, totalSteps: STEPS };
const job = {
  model_dir: 'model', adapter: { file: 'init-adapter/adapter_model.safetensors', r: 4, alpha: 8, targets: ALL_TARGETS },
  batch_size: 3, grad_accum: 2, seed: 7,
  steps: referenceSteps(examples, 3, 7, STEPS, 2), weight_decay: 0.01, betas: [0.9, 0.999], eps: 1e-8, max_grad_norm: 1,
  lrs: Array.from({ length: STEPS }, (_, n) => lrAt(n, schedule)),
};
writeFileSync(join(out, 'job.json'), JSON.stringify(job));
console.log(`wrote ${out}/job.json (${STEPS} steps) with model/, init-adapter/ and train.jsonl beside it`);
