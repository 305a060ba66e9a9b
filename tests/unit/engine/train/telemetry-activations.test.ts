// Activation telemetry in a training run: a telemetry step writes an 'activation' line whose per-tensor summaries cover
// every exposed tensor with B·S·width elements per micro-batch, and whose histograms equal those of the same tensors
// fetched by running the graph directly; steps without telemetry do not fetch the act.* outputs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { rangeSummary, RangeHistogram } from '../../../../src-main/common/precision/range-telemetry';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { buildTrainGraph } from '../../../../src-main/engine/nn';
import { EngineSession } from '../../../../src-main/engine/runtime';
import { BatchStream } from '../../../../src-main/engine/train/batches';
import { readTokenizedExamples } from '../../../../src-main/engine/train/examples';
import { ActivationTelemetry, type TelemetryRow } from '../../../../src-main/engine/train/telemetry';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { resolveWeightRefs } from '../../../../src-main/engine/train/weights';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { randomExamples, writeExamples } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'train-act-telemetry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const modelDir = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
const spec = readModelConfig(modelDir);
const trainData = writeExamples(join(work, 'train.jsonl'), randomExamples(16, spec.vocabSize, 7));
const targets: ('q_proj' | 'v_proj' | 'down_proj')[] = ['q_proj', 'v_proj', 'down_proj'];
const params: TrainJobParams = {
  modelDir, spec, trainData, evalData: null, padId: 0,
  method: 'lora', lora: { r: 4, alpha: 8, targets, dropout: 0, init: 'gaussian' }, initAdapter: null,
  optimizer: 'adamw', lr: 1e-2, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1,
  schedule: 'constant', warmupSteps: 0, batchSize: 4, gradAccum: 2, steps: 1, seed: 5, shuffle: true,
  evalEvery: 0, saveEvery: 0, threads: 1, telemetryEvery: 1,
};
const hooks = { emit: () => {}, stopReason: () => null };
const rowsOf = (dir: string) => readFileSync(join(dir, 'telemetry.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TelemetryRow);

const SITES = [
  ...Array.from({ length: spec.numLayers }, (_, l) => [
    `model.layers.${l}.input_layernorm.output`, `model.layers.${l}.self_attn.o_proj.input`,
    `model.layers.${l}.post_attention_layernorm.output`, `model.layers.${l}.mlp.down_proj.input`,
  ]).flat(),
  'lm_head.input',
];
const width = (site: string) => (site.endsWith('down_proj.input') ? spec.intermediateSize : site.endsWith('o_proj.input') ? spec.numHeads * spec.headDim : spec.hiddenSize);

/** The step-1 micro-batches, drawn as the trainer draws them. */
function firstStepBatches() {
  const stream = new BatchStream(readTokenizedExamples(trainData), params.batchSize, params.seed, params.shuffle, params.padId);
  return Array.from({ length: params.gradAccum }, () => stream.next());
}

describe('trainer: activation telemetry', () => {
  it('writes an activation line per telemetry step: every exposed tensor, B·S·width elements per micro-batch', async () => {
    const dir = join(work, 'one');
    await runTraining(params, dir, hooks);
    const rows = rowsOf(dir);
    expect(rows.map((r) => `${r.step}:${r.kind}`)).toEqual(['1:grad', '1:weight', '1:activation']);
    const act = rows[2];
    expect(Object.keys(act.tensors!)).toEqual(SITES);
    const batches = firstStepBatches();
    let total = 0;
    for (const site of SITES) {
      const positions = batches.reduce((n, b) => n + b.dims[0] * (site === 'lm_head.input' ? b.dims[1] - 1 : b.dims[1]), 0);
      expect(act.tensors![site].count, site).toBe(positions * width(site));
      total += positions * width(site);
    }
    expect(act.count).toBe(total);
    expect(Object.keys(act.groups).sort()).toEqual(['down_proj_input', 'gate_up_input', 'lm_head_input', 'o_proj_input', 'qkv_input']);
    expect(act.groups.down_proj_input!.count).toBe(spec.numLayers * act.tensors![SITES[3]].count);
    expect(act.bins.counts.reduce((a, b) => a + b, 0) + act.zeros + act.nonFinite).toBe(act.count);
    expect(act.nonFinite).toBe(0);
    expect(act.shares.fp16.overflow).toBe(0); // nothing on this tiny model reaches 65504
  }, 60_000);

  it("one activation's histogram equals that of the same tensor fetched by running the graph", async () => {
    const dir = join(work, 'one');
    const act = rowsOf(dir)[2];
    // Step 1's forward: the LoRA B matrices start at zero, so the adapter adds exact zeros whatever A is and zero
    // adapter inputs give the trainer's forward bit for bit.
    const graphDir = join(work, 'direct');
    mkdirSync(graphDir, { recursive: true });
    const built = buildTrainGraph(spec, resolveWeightRefs(modelDir, graphDir), { lora: { r: 4, alpha: 8, targets, dropout: 0 }, exposeActivations: true });
    const path = join(graphDir, 'train.onnx');
    writeFileSync(path, built.serialize());
    const session = await EngineSession.create(path, { intraOpThreads: 1 });
    const direct = new ActivationTelemetry(built.outputs.activations);
    const down = new RangeHistogram();
    try {
      for (const b of firstStepBatches()) {
        const out = await session.run({
          input_ids: { data: b.inputIds, dims: b.dims }, labels: { data: b.labels, dims: b.dims },
          ...Object.fromEntries(built.params.map((q) => [q.name, { data: new Float32Array(q.shape[0] * q.shape[1]), dims: q.shape }])),
        });
        direct.add(out);
        down.add(out['act.model.layers.1.mlp.down_proj.input'].data as Float32Array);
      }
    } finally {
      await session.release();
    }
    expect(act.tensors!['model.layers.1.mlp.down_proj.input']).toEqual(down.summary());
    expect(act).toEqual(direct.row(1));
  }, 60_000);

  it('fetches the act.* outputs on telemetry steps only', async () => {
    const spy = vi.spyOn(EngineSession.prototype, 'run');
    try {
      await runTraining({ ...params, steps: 2, telemetryEvery: 2, gradAccum: 1 }, join(work, 'fetches'), hooks);
      // The train session's calls are the ones fed input_ids and labels.
      const trainCalls = spy.mock.calls.filter(([feeds]) => 'labels' in feeds);
      expect(trainCalls).toHaveLength(2);
      const [first, second] = trainCalls.map(([, outputs]) => outputs);
      expect(first).toBeDefined();
      expect(first!.some((n) => n.startsWith('act.'))).toBe(false);
      expect(first).toEqual(expect.arrayContaining(['loss_sum', 'token_count', 'loss']));
      expect(second).toBeUndefined(); // everything, the activations included
    } finally {
      spy.mockRestore();
    }
    expect(rowsOf(join(work, 'fetches')).map((r) => `${r.step}:${r.kind}`)).toEqual(['2:grad', '2:weight', '2:activation']);
  }, 60_000);

  it('costs little per telemetry step (logged)', async () => {
    // The trainer's host-side cost: binning every exposed tensor of one micro-batch (the fetch is measured separately).
    const dir = join(work, 'one');
    const act = rowsOf(dir)[2];
    const sizes = SITES.map((s) => act.tensors![s].count / params.gradAccum);
    const outputs = SITES.map((s) => `act.${s}`);
    const out = Object.fromEntries(outputs.map((n, i) => [n, { data: Float32Array.from({ length: sizes[i] }, (_, k) => Math.sin(k) * 3) }]));
    const reps = 20;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const t = new ActivationTelemetry(outputs);
      t.add(out);
      t.row(1);
    }
    const ms = (performance.now() - t0) / reps;
    const elements = sizes.reduce((a, b) => a + b, 0);
    console.log(`activation telemetry: ${ms.toFixed(3)} ms to bin ${elements} activations (${((ms * 1e6) / elements).toFixed(2)} ns/element)`);
    expect(rangeSummary([out[outputs[0]].data]).count).toBe(sizes[0]);
  });
});
