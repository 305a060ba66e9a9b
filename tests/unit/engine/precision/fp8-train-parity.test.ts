// Emulated fp8 LoRA training (precision 'fp8': TE's HYBRID delayed scaling) against PyTorch fake-quantizing at the same
// points with the same scales (tests/reference/fp8_reference.py): 3 AdamW steps on the tiny llama, 2 micro-batches each.
// The scales per step are replayed from the run's final amax histories (DelayedScaling, unit-tested on its own), so the
// comparison is of the arithmetic, within trajectory.ts's unit-roundoff bound: with the scales shared, an fp8 rounding
// flips only where the engine's fp32 sum and the reference's exact one straddle a boundary; the loss's path is bf16
// outside the projections (bf16's u), while a flip in E5M2's fixed 2^-16 quantum below 2^-14 spreads to every earlier
// layer's gradients (fp8-grads.test.ts) and so to the adapter's updates (E4M3's u). The sharp check of the fp8
// arithmetic is fp8-grads.test.ts; this one checks a run end to end.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams, TrainMetricsRow } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import { lrAt } from '../../../../src-main/engine/optim';
import { DelayedScaling, FP8_RECIPE_DEFAULTS, type Fp8ScalingState } from '../../../../src-main/engine/precision/delayed-scaling';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { hasTorch, PYTHON } from '../../../reference/reference';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { describeErrors, expectWithinRoundoff, trajectoryErrors, UNIT_ROUNDOFF } from './trajectory';
import { ALL_TARGETS, PARITY_LORA, randomExamples, referenceSteps, writeExamples, writeInitAdapter } from '../train/helpers';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const STEPS = 3;

/** The scales each step used: DelayedScaling replayed over the recorded amaxes (one history entry per step). */
function scalesPerStep(state: Fp8ScalingState, names: string[]): Record<string, number>[] {
  const ds = new DelayedScaling(FP8_RECIPE_DEFAULTS, names);
  return Array.from({ length: STEPS }, (_, t) => {
    const used = Object.fromEntries(names.map((n) => [n, ds.scale(n)]));
    ds.record(new Map(names.filter((n) => state.amaxHistory[n].length > 0).map((n) => [n, state.amaxHistory[n][t] ?? Number.NaN])));
    return used;
  });
}

describe.skipIf(!hasTorch)('emulated fp8 training vs PyTorch (3 AdamW steps, tiny llama)', () => {
  it('the same loss at every step and the same final adapter', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ftstudio-fp8-parity-'));
    roots.push(root);
    const modelDir = writeTinyModel(join(root, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
    const spec = readModelConfig(modelDir);
    const examples = randomExamples(12, spec.vocabSize, 8);
    const initDir = writeInitAdapter(join(root, 'init-adapter'), spec, modelDir);
    const schedule = { kind: 'linear' as const, lr: 1e-3, warmupSteps: 1, totalSteps: STEPS };
    const params: TrainJobParams = {
      modelDir, spec, trainData: writeExamples(join(root, 'train.jsonl'), examples), evalData: null, padId: 0, method: 'lora',
      lora: { ...PARITY_LORA, dropout: 0, init: 'gaussian' }, initAdapter: initDir, optimizer: 'adamw', lr: 1e-3, weightDecay: 0.01,
      betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'linear', warmupSteps: 1, precision: 'fp8',
      batchSize: 3, gradAccum: 2, steps: STEPS, seed: 7, shuffle: true, evalEvery: 0, saveEvery: 0, threads: 2,
    };
    const runDir = join(root, 'run');
    await runTraining(params, runDir, { emit: () => {}, stopReason: () => null });
    const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetricsRow).filter((r) => 'loss' in r);
    const state = JSON.parse(readFileSync(join(runDir, 'checkpoints', `step-${STEPS}`, 'trainer_state.json'), 'utf8')).fp8 as Fp8ScalingState;
    const names = Object.keys(state.scales);
    const scales = scalesPerStep(state, names);
    // The replay ends where the trainer did: the bookkeeping and the replay agree.
    const final = new DelayedScaling(FP8_RECIPE_DEFAULTS, names, state);
    expect(names.every((n) => final.scale(n) === state.scales[n])).toBe(true);
    expect(Object.values(scales[1]).some((s) => s !== 1)).toBe(true);

    const job = (lrs: number[]) => ({
      model_dir: modelDir, adapter: { file: join(initDir, 'adapter_model.safetensors'), r: 4, alpha: 8, targets: ALL_TARGETS },
      steps: referenceSteps(examples, 3, 7, STEPS, 2), lrs,
      weight_decay: 0.01, betas: [0.9, 0.999], eps: 1e-8, max_grad_norm: 1, scales,
    });
    const reference = (name: string, lrs: number[]) => {
      writeFileSync(join(root, `${name}.json`), JSON.stringify(job(lrs)));
      return JSON.parse(execFileSync(PYTHON, [join(__dirname, '../../../reference/fp8_reference.py'), join(root, `${name}.json`)], {
        encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' },
      })) as { losses: number[]; params: Record<string, number[]> };
    };
    const ref = reference('fp8-job', Array.from({ length: STEPS }, (_, n) => lrAt(n, schedule)));
    // The control: the warm-up one update short. The bound must catch it.
    const slip = reference('fp8-slip', Array.from({ length: STEPS }, (_, n) => lrAt(n + 1, schedule)));

    const init = readPeftAdapter(initDir).tensors;
    const adapter = readPeftAdapter(join(runDir, 'adapter')).tensors;
    const engine = { losses: rows.map((r) => r.loss), params: Object.fromEntries([...adapter].map(([n, t]) => [n, t.data])) };
    const mine = trajectoryErrors(engine, ref, init);
    const control = trajectoryErrors(slip, ref, init);
    const u = UNIT_ROUNDOFF.fp8;
    console.log(`fp8 parity llama: ${describeErrors(mine, u)}; control ${describeErrors(control, u)}; losses ${rows.map((r) => r.loss.toFixed(6)).join(' ')} vs ${ref.losses.map((l) => l.toFixed(6)).join(' ')}`);
    expectWithinRoundoff(mine, control, u);
  }, 180_000);
});
