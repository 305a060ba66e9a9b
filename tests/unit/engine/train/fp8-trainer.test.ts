// fp8 training in the trainer: the loss falls, the amax histories and scales are checkpointed, and a stop + resume ends
// with exactly the adapter (and fp8 state) of an uninterrupted run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams, TrainMetricsRow } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'ftstudio-fp8-trainer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const STEPS = 12;
const losses = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetricsRow).filter((r) => 'loss' in r).map((r) => r.loss);
const fp8State = (dir: string) => JSON.parse(readFileSync(join(dir, 'checkpoints', `step-${STEPS}`, 'trainer_state.json'), 'utf8')).fp8;

describe('fp8 training (delayed scaling)', () => {
  it('learns, and a stopped run resumes onto the same trajectory', async () => {
    const modelDir = writeTinyModel(join(root, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
    const spec = readModelConfig(modelDir);
    const examples = randomExamples(6, spec.vocabSize, 5);
    const params: TrainJobParams = {
      modelDir, spec, trainData: writeExamples(join(root, 'train.jsonl'), examples), evalData: null, padId: 0,
      method: 'lora', lora: { r: 4, alpha: 16, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter: null,
      optimizer: 'adamw', lr: 1e-2, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant',
      warmupSteps: 0, batchSize: 3, gradAccum: 2, steps: STEPS, seed: 3, shuffle: true, evalEvery: 0, saveEvery: 0, threads: 2,
      precision: 'fp8', fp8: { amaxHistoryLen: 4 },
    };
    const straight = join(root, 'straight');
    const metrics: number[] = [];
    await runTraining(params, straight, {
      emit: (m) => { if (m.type === 'metrics' && m.values.fp8_scale_min !== undefined) metrics.push(m.values.fp8_scale_min); },
      stopReason: () => null,
    });
    const l = losses(straight);
    console.log(`fp8 trainer: losses ${l.map((v) => v.toFixed(4)).join(' ')}`);
    expect(l.length).toBe(STEPS);
    expect(l[STEPS - 1]).toBeLessThan(l[0] * 0.9);
    expect(metrics[0]).toBe(1); // step 1: no history, every scale 1
    expect(metrics.slice(1).some((s) => s !== 1)).toBe(true);
    const state = fp8State(straight);
    for (const h of Object.values(state.amaxHistory) as number[][]) expect(h.length === 0 || h.length === 4).toBe(true);

    // Stop after step 5 (the stop is checked before each step), then resume in the same folder.
    const resumed = join(root, 'resumed');
    let steps = 0;
    const first = await runTraining(params, resumed, { emit: (m) => { if (m.type === 'metrics' && 'loss' in m.values) steps++; }, stopReason: () => (steps >= 5 ? 'cancel' : null) });
    expect(first.stopped).toBe(true);
    await runTraining(params, resumed, { emit: () => {}, stopReason: () => null });
    expect(losses(resumed)).toEqual(l);
    expect(fp8State(resumed)).toEqual(state);
    const a = readPeftAdapter(join(straight, 'adapter'));
    const b = readPeftAdapter(join(resumed, 'adapter'));
    for (const [name, t] of a.tensors) expect(Array.from(b.tensors.get(name)!.data), name).toEqual(Array.from(t.data));
  }, 180_000);
});
