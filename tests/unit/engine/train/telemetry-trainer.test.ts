// Range telemetry in a training run: telemetryEvery 2 over 4 steps writes a gradient, a weight and an activation line
// at steps 2 and 4, the first two covering every trainable element (activations: telemetry-activations.test.ts); a
// resume from the step-2 checkpoint rewrites step 4 exactly once.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { readPeftAdapter } from '../../../../src-main/engine/io/peft-adapter';
import { optimizerGradients, writeTelemetry, type TelemetryRow } from '../../../../src-main/engine/train/telemetry';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'train-telemetry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const modelDir = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
const spec = readModelConfig(modelDir);
const trainData = writeExamples(join(work, 'train.jsonl'), randomExamples(16, spec.vocabSize, 7));
const params: TrainJobParams = {
  modelDir, spec, trainData, evalData: null, padId: 0,
  method: 'lora', lora: { r: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'down_proj'], dropout: 0, init: 'gaussian' }, initAdapter: null,
  optimizer: 'adamw', lr: 1e-2, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1,
  schedule: 'constant', warmupSteps: 0, batchSize: 4, gradAccum: 2, steps: 4, seed: 5, shuffle: true,
  evalEvery: 0, saveEvery: 2, threads: 1, telemetryEvery: 2,
};
const hooks = { emit: () => {}, stopReason: () => null };
const lines = (dir: string) => readFileSync(join(dir, 'telemetry.jsonl'), 'utf8').trim().split('\n');

describe('trainer: range telemetry', () => {
  it('writes a grad and a weight line every telemetryEvery steps, covering every trainable element', async () => {
    const dir = join(work, 'straight');
    await runTraining(params, dir, hooks);
    const all = lines(dir).map((l) => JSON.parse(l) as TelemetryRow);
    expect(all.map((r) => [r.step, r.kind])).toEqual([[2, 'grad'], [2, 'weight'], [2, 'activation'], [4, 'grad'], [4, 'weight'], [4, 'activation']]);
    const rows = all.filter((r) => r.kind !== 'activation');
    const adapter = readPeftAdapter(join(dir, 'adapter'));
    const size = (group: string) => [...adapter.tensors].filter(([n]) => n.includes(group)).reduce((a, [, t]) => a + t.data.length, 0);
    for (const r of rows) {
      for (const s of [r, r.groups.lora_A!, r.groups.lora_B!]) {
        expect(s.bins.from).toBe(-40);
        expect(s.bins.counts).toHaveLength(61);
        expect(s.bins.counts.reduce((a, b) => a + b, 0) + s.zeros + s.nonFinite).toBe(s.count);
        for (const sh of Object.values(s.shares)) {
          for (const v of [sh.underflow, sh.subnormal, sh.overflow]) expect(v >= 0 && v <= 1).toBe(true);
          expect(sh.underflow + sh.subnormal + sh.overflow).toBeLessThanOrEqual(1 + 1e-12);
        }
      }
      expect(r.count).toBe(size('lora_A') + size('lora_B'));
      expect(r.groups.lora_A!.count).toBe(size('lora_A'));
      expect(r.groups.lora_B!.count).toBe(size('lora_B'));
      expect(r.nonFinite).toBe(0);
      // Nothing on this tiny model is near fp16's or bf16's max.
      expect(r.shares.fp16.overflow).toBe(0);
      expect(r.shares.bf16).toEqual({ underflow: 0, subnormal: 0, overflow: 0 });
    }
    // Weights at step 4 are the final adapter's.
    const lastWeights = rows[3];
    const summed = [...adapter.tensors.values()].reduce((a, t) => a + t.data.filter((x) => x === 0).length, 0);
    expect(lastWeights.zeros).toBe(summed);
    // A run without telemetry writes no file and keeps its params as before.
    const { telemetryEvery: _t, ...plain } = params;
    const off = join(work, 'off');
    await runTraining({ ...plain, steps: 1 }, off, hooks);
    expect(() => readFileSync(join(off, 'telemetry.jsonl'))).toThrow();
  }, 60_000);

  it('a resume from the step-2 checkpoint trims the lines after it: each step once, same lines as a straight run', async () => {
    const straight = join(work, 'straight');
    const dir = join(work, 'resumed');
    await runTraining(params, dir, hooks);
    // As if the run had died after step 4's telemetry but before its checkpoint: latest.json still names step 2.
    const latest = join(dir, 'checkpoints', 'latest.json');
    writeFileSync(latest, JSON.stringify({ ...JSON.parse(readFileSync(latest, 'utf8')), step: 2, dir: 'step-2' }));
    await runTraining(params, dir, hooks);
    const steps = lines(dir).map((l) => JSON.parse(l) as TelemetryRow).map((r) => `${r.step}:${r.kind}`);
    expect(steps).toEqual(['2:grad', '2:weight', '2:activation', '4:grad', '4:weight', '4:activation']);
    expect(lines(dir)).toEqual(lines(straight));
  }, 60_000);

  it('costs little per telemetry step (logged)', () => {
    const adapter = readPeftAdapter(join(work, 'straight', 'adapter'));
    const weights = new Map([...adapter.tensors].map(([n, t]) => [n, t.data]));
    const raw = new Map([...weights].map(([n, d]) => [`grad.${n}`, d.map((x) => x * 1000)]));
    const dir = join(work, 'bench');
    const reps = 50;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) writeTelemetry(dir, i, optimizerGradients(raw, 100, 1024), weights);
    const ms = (performance.now() - t0) / reps;
    const elements = [...weights.values()].reduce((a, d) => a + d.length, 0);
    console.log(`telemetry: ${ms.toFixed(3)} ms per telemetry step for ${elements} trainable elements (grads + weights)`);
    expect(lines(dir)).toHaveLength(2 * reps);
  });
});
