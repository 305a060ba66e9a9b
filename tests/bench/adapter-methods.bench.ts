// Benchmark (issue 6): each adapter method learns. A generated key → value recall task on a tiny random llama (hidden
// 64, 2 layers, vocab 256): 16 pairs, each row "<bos> key <sep> value" with the loss on the value only. The eval set is
// the same 16 rows (recall is the task). A model that has not learned the pairs sits at ln(256) ≈ 5.5 nats; one that
// recalls them all with p ≥ 0.6 is under 0.5.
// Run: npx tsx tests/bench/adapter-methods.bench.ts [--quick]   Prints a table and one JSON line; exits 1 if a method misses.
//
// The stated targets (eval loss at or under the threshold within the steps) are per method, because the methods differ
// in how much they can change: LoRA-family and full fine-tuning rewrite the projections that map a key to its value;
// prompt methods only add context in front of (P-tuning) or inside (prefix) a frozen random network, so they get more
// steps and a looser bar. The LoRA family levels off near 0.166 here: the frozen final norm and lm_head bound how large
// a logit the adapted layers can produce (full fine-tuning, which trains them too, goes to ~0.001). The LSTM encoder
// learns like the MLP one but its unrolled graph is ~5× slower per step, so it is left to the trainer tests. Every run goes through the engine's trainer (runTraining), exactly as `ftstudio train` does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainJobParams } from '../../src-main/common/train';
import { runTraining } from '../../src-main/engine/train/trainer';
import { readModelConfig } from '../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../reference/tiny-models';

interface MethodCase { label: string; steps: number; threshold: number; params: Partial<TrainJobParams> }

const LORA = { r: 8, alpha: 16, targets: 'all-linear' as const, dropout: 0, init: 'gaussian' as const };
const CASES: MethodCase[] = [
  { label: 'lora', steps: 120, threshold: 0.5, params: { method: 'lora', lr: 3e-3 } },
  { label: 'lora_plus', steps: 120, threshold: 0.5, params: { method: 'lora_plus', loraPlusRatio: 16, lr: 3e-4 } },
  { label: 'lora+rslora', steps: 120, threshold: 0.5, params: { method: 'lora', lr: 3e-3, lora: { ...LORA, useRslora: true } } },
  { label: 'lora+dora', steps: 120, threshold: 0.5, params: { method: 'lora', lr: 3e-3, lora: { ...LORA, useDora: true } } },
  { label: 'plora', steps: 120, threshold: 0.5, params: { method: 'plora', stages: 3, lr: 3e-3 } },
  { label: 'ptuning', steps: 300, threshold: 2.5, params: { method: 'ptuning', prompt: { virtualTokens: 32, encoder: 'mlp', encoderHidden: 128 }, lr: 1e-2 } },
  // A plain table starts at N(0, 1) values (torch's nn.Embedding init), so its steps must be larger.
  { label: 'ptuning-none', steps: 300, threshold: 1.5, params: { method: 'ptuning', prompt: { virtualTokens: 16, encoder: 'none', encoderHidden: 128 }, lr: 1e-1 } },
  { label: 'prefix', steps: 200, threshold: 1.0, params: { method: 'prefix', prompt: { virtualTokens: 16, encoder: 'mlp', encoderHidden: 128 }, lr: 1e-2 } },
  { label: 'full', steps: 120, threshold: 0.5, params: { method: 'full', lr: 3e-3, weightDecay: 0.01 } },
  { label: 'full+ewc', steps: 120, threshold: 0.5, params: { method: 'full', lr: 3e-3, weightDecay: 0.01, guards: { l2spLambda: 0, ewcLambda: 10, ewcData: null, ewcSamples: 16 } } },
];

function recallTask(file: string, vocab: number): void {
  const rows = Array.from({ length: 16 }, (_, i) => {
    const key = 10 + i;
    const value = 100 + ((i * 37) % 100);
    return JSON.stringify({ input_ids: [1, key, 2, value], labels: [-100, -100, -100, value] });
  });
  if (vocab < 200) throw new Error('the task needs a vocabulary of 200 tokens');
  writeFileSync(file, rows.join('\n'));
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const work = mkdtempSync(join(tmpdir(), 'ftstudio-bench-methods-'));
  try {
    const modelDir = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
    const spec = readModelConfig(modelDir);
    const data = join(work, 'recall.jsonl');
    recallTask(data, spec.vocabSize);
    const results = [];
    for (const c of quick ? CASES.slice(0, 2) : CASES) {
      const runDir = join(work, c.label);
      const params: TrainJobParams = {
        modelDir, spec, trainData: data, evalData: data, padId: 0, method: 'lora', lora: LORA, initAdapter: null,
        optimizer: 'adamw', lr: 1e-2, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant',
        warmupSteps: 0, batchSize: 16, gradAccum: 1, steps: c.steps, seed: 1, shuffle: true, evalEvery: 5, saveEvery: 0, threads: 2,
        ...c.params,
      };
      const started = performance.now();
      await runTraining(params, runDir, { emit: () => {}, stopReason: () => null });
      const seconds = (performance.now() - started) / 1000;
      const evals = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => 'eval_loss' in r) as { step: number; eval_loss: number }[];
      const first = JSON.parse(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n')[0]).loss as number;
      const reached = evals.find((e) => e.eval_loss <= c.threshold);
      const end = evals.at(-1)!.eval_loss;
      results.push({ method: c.label, start_loss: first, end_eval_loss: end, threshold: c.threshold, steps: c.steps, reached_at_step: reached?.step ?? null, pass: end <= c.threshold, seconds });
      console.log(`${c.label.padEnd(12)} start ${first.toFixed(3)}  eval after ${c.steps} steps ${end.toFixed(3)}  target ≤ ${c.threshold} ${reached ? `reached at step ${reached.step}` : 'NOT reached'}  (${seconds.toFixed(1)} s)`);
    }
    console.log(JSON.stringify({ bench: 'adapter-methods', task: 'key→value recall, 16 pairs, tiny llama', results }));
    if (results.some((r) => !r.pass)) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
