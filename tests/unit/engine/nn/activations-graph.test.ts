// Exposed activations (BuildOptions.exposeActivations, for range telemetry): off or absent the graphs hash the same;
// on, the graph only gains Identity nodes and act.* outputs of the right shapes, whose values are the forward's.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvalGraph, buildTrainGraph, type BuildOptions, type BuiltGraph } from '../../../../src-main/engine/nn';
import { readSafetensorsHeader, readTensorF32 } from '../../../../src-main/models/safetensors';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, relError, runBuilt } from './checkpoint';
import { LORA, makeBatch, prepare, randomAdapter } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'nn-activations-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => prepare(work, TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number]);
const hash = (b: BuiltGraph) => createHash('sha256').update(b.serialize()).digest('hex');
const opCounts = (b: BuiltGraph) => b.graph.nodes.reduce((m, n) => m.set(n.op.name, (m.get(n.op.name) ?? 0) + 1), new Map<string, number>());

const CONFIGS: [string, BuildOptions][] = [
  ['lora', { lora: LORA }],
  ['lora fp16 loss-scaled', { lora: { ...LORA, targets: ['q_proj', 'down_proj'] }, precision: 'fp16', lossScaleInput: true }],
  ['full bf16', { trainable: 'all', precision: 'bf16' }],
  ['lora fp8', { lora: LORA, precision: 'fp8' }],
  ['lora dropout', { lora: { ...LORA, dropout: 0.1 } }],
];

const sites = (layers: number) => [
  ...Array.from({ length: layers }, (_, l) => [
    `model.layers.${l}.input_layernorm.output`, `model.layers.${l}.self_attn.o_proj.input`,
    `model.layers.${l}.post_attention_layernorm.output`, `model.layers.${l}.mlp.down_proj.input`,
  ]).flat(),
  'lm_head.input',
];

describe('exposeActivations', () => {
  it.each(CONFIGS)('off or absent: the same bytes (%s)', (_name, opts) => {
    for (const id of ['qwen2', 'qwen3']) {
      const p = model(id);
      for (const build of [buildTrainGraph, buildEvalGraph]) {
        const absent = build(p.spec, p.weights, opts);
        const off = build(p.spec, p.weights, { ...opts, exposeActivations: false });
        expect(hash(off)).toBe(hash(absent));
        expect(off.outputs.activations).toEqual([]);
        const on = build(p.spec, p.weights, { ...opts, exposeActivations: true });
        expect(hash(on)).not.toBe(hash(absent));
        // On adds one Identity (the renamed output) per site and nothing else: same ops, same other outputs.
        const extra = opCounts(on);
        for (const [op, n] of opCounts(absent)) extra.set(op, (extra.get(op) ?? 0) - n);
        expect([...extra].filter(([, n]) => n !== 0)).toEqual([['Identity', sites(p.spec.numLayers).length]]);
        expect(on.graph.outputs.map((v) => v.name).filter((n) => !n.startsWith('act.'))).toEqual(absent.graph.outputs.map((v) => v.name));
        expect(on.graph.inputs.map((v) => v.name)).toEqual(absent.graph.inputs.map((v) => v.name));
      }
    }
  });

  it('names every linear input per layer and the lm_head input, with their shapes', () => {
    const p = model('qwen2');
    const built = buildTrainGraph(p.spec, p.weights, { lora: LORA, exposeActivations: true });
    expect(built.outputs.activations).toEqual(sites(p.spec.numLayers).map((s) => `act.${s}`));
    const byName = new Map(built.graph.outputs.map((v) => [v.name, v]));
    const { hiddenSize: H, intermediateSize: I, numHeads, headDim } = p.spec;
    const last = (name: string) => byName.get(name)!.shape.at(-1);
    for (const name of built.outputs.activations) {
      const v = byName.get(name)!;
      expect(v.dtype).toBe('float32');
      expect(v.shape).toHaveLength(3);
      const width = name.endsWith('down_proj.input') ? I : name.endsWith('o_proj.input') ? numHeads * headDim : H;
      expect(last(name)).toBe(width);
    }
  });

  it('the outputs are the forward values: layer 0 input norm recomputed on the host, same loss as without them', async () => {
    const p = model('qwen2');
    const batch = makeBatch(p.spec.vocabSize, 3);
    const adapter = randomAdapter(p.spec, LORA, 4);
    const built = buildTrainGraph(p.spec, p.weights, { lora: LORA, exposeActivations: true });
    const plain = buildTrainGraph(p.spec, p.weights, { lora: LORA });
    const feeds = {
      input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels),
      ...Object.fromEntries(built.params.map((q) => [q.name, { data: adapter.get(q.name)!, dims: q.shape }])),
    };
    const out = await runBuilt(built, p.graphDir, feeds, 'act.onnx');
    const ref = await runBuilt(plain, p.graphDir, feeds, 'plain.onnx');
    expect(out.loss.data).toEqual(ref.loss.data);
    const [B, S] = [batch.inputIds.length, batch.inputIds[0].length];
    const { hiddenSize: H, intermediateSize: I } = p.spec;
    expect(out['act.model.layers.1.mlp.down_proj.input'].dims).toEqual([B, S, I]);
    expect(out['act.lm_head.input'].dims).toEqual([B, S - 1, H]);

    const header = readSafetensorsHeader(join(p.modelDir, 'model.safetensors'));
    const f32 = (name: string) => readTensorF32(header.tensors.get(name)!);
    const embed = f32('model.embed_tokens.weight');
    const w = f32('model.layers.0.input_layernorm.weight');
    const expected = new Float32Array(B * S * H);
    batch.inputIds.flat().forEach((id, t) => {
      const x = embed.subarray(id * H, (id + 1) * H);
      const inv = 1 / Math.sqrt(x.reduce((a, v) => a + v * v, 0) / H + p.spec.rmsNormEps);
      for (let j = 0; j < H; j++) expected[t * H + j] = w[j] * x[j] * inv;
    });
    expect(relError(out['act.model.layers.0.input_layernorm.output'].data as Float32Array, expected)).toBeLessThan(1e-5);
  });
});
