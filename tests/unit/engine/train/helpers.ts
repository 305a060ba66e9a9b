// Shared by the trainer tests: random tokenized examples, a starting adapter, and the PyTorch training reference.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../../../../src-main/common/model-spec';
import { writePeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import { initLoraWeights, loraTensors } from '../../../../src-main/engine/nn';
import { Prng } from '../../../../src-main/engine/nn/prng';
import { BatchStream, type Example } from '../../../../src-main/engine/train/batches';
import { PYTHON } from '../../../reference/reference';

/** Random rows of varying length (so batches pad), with the first few tokens masked like a prompt. */
export function randomExamples(n: number, vocab: number, seed: number): Example[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => {
    const len = 6 + Math.floor(rng.uniform() * 10);
    const prompt = 1 + Math.floor(rng.uniform() * 4);
    const ids = Array.from({ length: len }, () => Math.floor(rng.uniform() * vocab));
    return { inputIds: ids, labels: ids.map((v, i) => (i < prompt ? -100 : v)) };
  });
}

export function writeExamples(file: string, examples: Example[]): string {
  writeFileSync(file, examples.map((e) => JSON.stringify({ input_ids: e.inputIds, labels: e.labels })).join('\n'));
  return file;
}


export const ALL_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
/** The adapter the parity tests start from: r 4, α 8 on every projection. */
export const PARITY_LORA = { r: 4, alpha: 8, targets: 'all-linear' as const };

/** A starting adapter with a non-zero B as well, so the very first step already moves both A and B. */
export function writeInitAdapter(dir: string, spec: ModelSpec, modelDir: string): string {
  const init = initLoraWeights(spec, PARITY_LORA, 3);
  const rng = new Prng(9);
  const shapes = new Map(loraTensors(spec, PARITY_LORA).map((t) => [t.name, t.shape]));
  for (const [name, data] of init) if (name.includes('lora_B')) data.set(rng.normalArray(data.length, 0.05));
  writePeftAdapter(dir, { r: PARITY_LORA.r, alpha: PARITY_LORA.alpha, dropout: 0, targetModules: ALL_TARGETS, init: 'gaussian', baseModel: modelDir },
    new Map([...init].map(([n, d]) => [n, { shape: shapes.get(n)!, data: d }])));
  return dir;
}

/** The micro-batches the trainer draws, in its order, as nested lists for the Python reference. */
export function referenceSteps(examples: Example[], batchSize: number, seed: number, steps: number, gradAccum: number) {
  const stream = new BatchStream(examples, batchSize, seed, true, 0);
  return Array.from({ length: steps }, () => Array.from({ length: gradAccum }, () => {
    const b = stream.next();
    const [B, S] = b.dims;
    const rowsOf = (a: BigInt64Array) => Array.from({ length: B }, (_, i) => Array.from(a.subarray(i * S, (i + 1) * S), Number));
    return { input_ids: rowsOf(b.inputIds), labels: rowsOf(b.labels) };
  }));
}

export interface TrainReference {
  losses: number[];
  /** Per step; JSON has no inf/NaN, so a skipped step's non-finite norm arrives as null (only with "loss_scale"). */
  grad_norms: number[];
  /** Per step: the loss scaler found a non-finite gradient and skipped the update (always false without "loss_scale"). */
  skipped: boolean[];
  /** Per step: the loss scale it used (1 without "loss_scale"). */
  scales: number[];
  params: Record<string, number[]>;
}

/** Runs tests/reference/train_reference.py (torch AdamW, optional LoRA+ groups) on a job written into `root`. */
export function runTrainReference(root: string, name: string, job: Record<string, unknown>): TrainReference {
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(job));
  return JSON.parse(execFileSync(PYTHON, [join(__dirname, '../../../reference/train_reference.py'), file], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' },
  })) as TrainReference;
}
