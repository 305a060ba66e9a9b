// LoRA without PyTorch: B = 0 leaves the base loss bit-identical, PEFT names/shapes, seeded init, the PRNG.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Prng, buildEvalGraph, buildTrainGraph, initLoraWeights, loraModules, loraScale, loraTensors, peftName,
} from '../../../../src-main/engine/nn';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, runBuilt } from './checkpoint';
import { LORA, adapterFeeds, makeBatch, prepare } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'nn-lora-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number];

describe('LoRA', () => {
  it('with B = 0 the loss is exactly the base model loss, and dB is non-zero while dA is zero', async () => {
    const p = prepare(work, model('qwen2'));
    const batch = makeBatch(p.spec.vocabSize, 7);
    const feeds = { input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels) };
    const base = await runBuilt(buildEvalGraph(p.spec, p.weights), p.graphDir, feeds, 'base.onnx');
    const init = initLoraWeights(p.spec, LORA, 3);
    const train = buildTrainGraph(p.spec, p.weights, { lora: LORA });
    const out = await runBuilt(train, p.graphDir, { ...feeds, ...adapterFeeds(p.spec, LORA, init) }, 'lora.onnx');
    expect(out.loss.data[0]).toBe(base.loss.data[0]);
    expect(out.loss_sum.data[0]).toBe(base.loss_sum.data[0]);
    const name = peftName('model.layers.0.self_attn.q_proj', 'B');
    expect(Math.max(...Array.from(out[`grad.${name}`].data as Float32Array, Math.abs))).toBeGreaterThan(0);
    const dA = out[`grad.${peftName('model.layers.0.self_attn.q_proj', 'A')}`].data as Float32Array;
    expect(Array.from(dA).every((v) => v === 0)).toBe(true);
  });

  it('names and shapes tensors like PEFT, including Qwen3 whose q width nh·hd differs from H', () => {
    const spec = prepare(work, model('qwen3')).spec; // H 64, nh 4, hd 32 → q_proj [128, 64]
    const t = loraTensors(spec, { r: 8, alpha: 16, targets: ['q_proj', 'o_proj', 'down_proj'] });
    expect(t.map((x) => [x.name, x.shape])).toEqual([
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', [8, 64]],
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', [128, 8]],
      ['base_model.model.model.layers.0.self_attn.o_proj.lora_A.weight', [8, 128]],
      ['base_model.model.model.layers.0.self_attn.o_proj.lora_B.weight', [64, 8]],
      ['base_model.model.model.layers.0.mlp.down_proj.lora_A.weight', [8, 128]],
      ['base_model.model.model.layers.0.mlp.down_proj.lora_B.weight', [64, 8]],
      ...t.slice(6).map((x) => [x.name, x.shape]),
    ]);
    expect(t).toHaveLength(12);
    expect(loraModules(spec, { r: 4, alpha: 8, targets: 'all-linear' })).toHaveLength(14);
    expect(loraScale({ r: 4, alpha: 8, targets: 'all-linear' })).toBe(2);
    expect(() => loraModules(spec, { r: 4, alpha: 8, targets: ['lm_head' as never] })).toThrow(/lm_head/);
    // Dropout 0 < p < 1 is supported (dropout-*.test.ts); p outside [0, 1) is refused before any weight is read.
    expect(() => buildTrainGraph(spec, [], { lora: { ...LORA, dropout: 1 } })).toThrow(/dropout/);
  });

  it('initialises A ~ N(0, std 1/r) or U(±1/√in) from a seed, B = 0', () => {
    const spec = prepare(work, model('llama')).spec;
    const cfg = { r: 8, alpha: 16, targets: 'all-linear' as const };
    const a = initLoraWeights(spec, cfg, 42);
    expect(initLoraWeights(spec, cfg, 42)).toEqual(a);
    expect(initLoraWeights(spec, cfg, 43).get(peftName('model.layers.0.mlp.up_proj', 'A'))).not.toEqual(a.get(peftName('model.layers.0.mlp.up_proj', 'A')));
    const all = loraTensors(spec, cfg).filter((t) => t.kind === 'A').flatMap((t) => Array.from(a.get(t.name) as Float32Array));
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const std = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeGreaterThan(0.95 / 8);
    expect(std).toBeLessThan(1.05 / 8);
    for (const t of loraTensors(spec, cfg).filter((x) => x.kind === 'B')) expect((a.get(t.name) as Float32Array).every((v) => v === 0)).toBe(true);

    const k = initLoraWeights(spec, cfg, 42, 'kaiming-uniform').get(peftName('model.layers.0.mlp.down_proj', 'A')) as Float32Array;
    const bound = 1 / Math.sqrt(spec.intermediateSize);
    expect(Math.max(...Array.from(k, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(k, Math.abs))).toBeGreaterThan(0.9 * bound);
  });

  it('Prng: xoshiro128** is deterministic per seed, uniform in [0, 1), normals with unit variance', () => {
    const a = new Prng(1);
    const b = new Prng(1);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
    const r = new Prng(9);
    const u = Array.from({ length: 20000 }, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 0.5)).toBeLessThan(0.01);
    const n = Array.from({ length: 20000 }, () => r.normal());
    const m2 = n.reduce((s, v) => s + v * v, 0) / n.length;
    expect(Math.abs(m2 - 1)).toBeLessThan(0.05);
  });
});
