// Crash and resume: the engine process running a training job is SIGKILLed mid-run; a new job on the same run folder
// resumes from the last checkpoint and ends with the same adapter as an uninterrupted run (within 1e-6).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { makeHarness, sleep, type Harness } from '../../jobs/helpers';
import { randomExamples, writeExamples } from './helpers';

let h: Harness;
afterAll(async () => h?.dispose());

function lastStep(runDir: string): number {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return 0;
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  return lines.length ? JSON.parse(lines.at(-1)!).step : 0;
}

describe('training resume after kill -9', () => {
  it('continues the same trajectory', async () => {
    h = await makeHarness();
    const modelDir = writeTinyModel(join(h.dir, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
    const spec = readModelConfig(modelDir);
    const params: TrainJobParams = {
      modelDir, spec, trainData: writeExamples(join(h.dir, 'train.jsonl'), randomExamples(40, spec.vocabSize, 11)), evalData: null, padId: 0,
      method: 'lora', lora: { r: 4, alpha: 16, targets: ['q_proj', 'v_proj', 'down_proj'], dropout: 0, init: 'gaussian' }, initAdapter: null,
      optimizer: 'adamw', lr: 3e-3, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'linear',
      warmupSteps: 5, batchSize: 4, gradAccum: 2, steps: 150, seed: 3, shuffle: true, evalEvery: 0, saveEvery: 20, threads: 1,
    };

    const straightDir = join(h.dir, 'straight');
    await runTraining({ ...params }, straightDir, { emit: () => {}, stopReason: () => null });

    const runDir = join(h.dir, 'crashed');
    const first = await h.supervisor.start('train', params, { runDir });
    // Kill the engine once it is past a checkpoint but well before the end.
    const deadline = Date.now() + 60_000;
    while (lastStep(runDir) < 45 && Date.now() < deadline) await sleep(20);
    const killedAt = lastStep(runDir);
    expect(killedAt).toBeGreaterThanOrEqual(45);
    expect(killedAt).toBeLessThan(150);
    process.kill(first.pid!, 'SIGKILL');
    const dead = await h.supervisor.whenSettled(first.id);
    expect(dead?.state).toBe('failed');
    expect(dead?.reason).toMatch(/SIGKILL/);
    expect(dead?.resumable).toBe(true);

    const second = await h.supervisor.start('train', params, { runDir });
    const done = await h.supervisor.whenSettled(second.id);
    expect(done?.state).toBe('completed');

    const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual(Array.from({ length: 150 }, (_, i) => i + 1)); // each step exactly once
    const a = readPeftAdapter(join(straightDir, 'adapter'));
    const b = readPeftAdapter(join(runDir, 'adapter'));
    let maxDiff = 0;
    for (const [name, t] of a.tensors) {
      const u = b.tensors.get(name)!.data;
      for (let i = 0; i < t.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(t.data[i] - u[i]));
    }
    console.log(`resume: killed at step ${killedAt}, max |Δ| final adapter = ${maxDiff}`);
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
  }, 120_000);
});
