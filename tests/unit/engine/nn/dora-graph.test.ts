// rsLoRA / DoRA without PyTorch: StopGradient stops, names and shapes as PEFT saves them, the magnitudes' start,
// adapter_config.json flags, refusals, and graphs byte-identical to plain LoRA when the flags are off.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addGradients } from '../../../../src-main/engine/autodiff';
import { readPeftAdapter, writePeftAdapter, type LoraAdapterConfig } from '../../../../src-main/engine/io/peft-adapter';
import { Graph } from '../../../../src-main/engine/ir';
import {
  buildTrainGraph, checkpointWeightReader, initDoraMagnitudes, initLoraWeights, loraScale, loraTensors, magnitudeName, type LoraConfig,
} from '../../../../src-main/engine/nn';
import { stopGradient } from '../../../../src-main/engine/ops/stop-gradient';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { EngineSession } from '../../../../src-main/engine/runtime';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { LORA, prepare } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'nn-dora-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number];

describe('StopGradient', () => {
  it('is the identity forward and passes no gradient: d/dx Σ stop(x)·x = x, not 2x', async () => {
    const g = new Graph('stop');
    const x = g.input('x', 'float32', [3]);
    const loss = g.reduceSum(g.mul(stopGradient(g, x), x), [0], false);
    g.output(loss, 'loss');
    addGradients(g, loss, [x]);
    const path = join(work, 'stop.onnx');
    writeFileSync(path, serializeModel(g));
    const s = await EngineSession.create(path, { intraOpThreads: 1 });
    try {
      const out = await s.run({ x: { data: Float32Array.of(1, -2, 3), dims: [3] } });
      expect(Array.from(out.loss.data as Float32Array)).toEqual([14]);
      expect(Array.from(out['grad.x'].data as Float32Array)).toEqual([1, -2, 3]);
    } finally {
      await s.release();
    }
  });
});

describe('rsLoRA / DoRA configuration', () => {
  const p = prepare(work, model('qwen2'));

  it('scales by α/√r with rsLoRA, α/r without', () => {
    expect(loraScale({ r: 16, alpha: 8, targets: 'all-linear', useRslora: true })).toBe(2);
    expect(loraScale({ r: 16, alpha: 8, targets: 'all-linear' })).toBe(0.5);
  });

  it('adds one magnitude [out] per module after its A and B, named as PEFT saves it', () => {
    const t = loraTensors(p.spec, { r: 2, alpha: 4, targets: ['q_proj', 'down_proj'], useDora: true });
    expect(t.slice(0, 3).map((x) => [x.name, x.kind, x.shape])).toEqual([
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', 'A', [2, 64]],
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', 'B', [64, 2]],
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector', 'magnitude', [64]],
    ]);
    expect(t[5]).toEqual({ name: magnitudeName('model.layers.0.mlp.down_proj'), module: 'model.layers.0.mlp.down_proj', kind: 'magnitude', shape: [64] });
    // A is drawn the same with DoRA (the magnitudes come from the weights, not the PRNG).
    const cfg: LoraConfig = { r: 2, alpha: 4, targets: ['q_proj', 'down_proj'] };
    expect(initLoraWeights(p.spec, { ...cfg, useDora: true }, 5)).toEqual(initLoraWeights(p.spec, cfg, 5));
  });

  it('starts m at ‖W + s·B·A‖ per output row (‖W‖ for B = 0)', () => {
    const cfg: LoraConfig = { r: 2, alpha: 6, targets: ['v_proj'], useDora: true };
    const read = checkpointWeightReader(p.modelDir);
    const w = read('model.layers.0.self_attn.v_proj.weight'); // [32, 64]
    const norm = (row: number[]) => Math.fround(Math.sqrt(row.reduce((s, v) => s + v * v, 0)));
    const rowOf = (o: number) => Array.from(w.subarray(o * 64, (o + 1) * 64));
    const m = initDoraMagnitudes(p.spec, cfg, read).get(magnitudeName('model.layers.0.self_attn.v_proj')) as Float32Array;
    expect(m.length).toBe(32);
    expect(m[5]).toBe(norm(rowOf(5)));
    const a = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i) / 4);
    const ab = new Map([['base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight', a], ['base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight', b]]);
    const m2 = initDoraMagnitudes(p.spec, cfg, read, ab).get(magnitudeName('model.layers.0.self_attn.v_proj')) as Float32Array;
    const row = rowOf(7).map((v, i) => v + 3 * (b[14] * a[i] + b[15] * a[64 + i]));
    expect(Math.abs(m2[7] - norm(row)) / norm(row)).toBeLessThan(1e-6);
  });

  it('keeps plain LoRA graphs byte-identical when the flags are off', () => {
    const plain = buildTrainGraph(p.spec, p.weights, { lora: LORA }).serialize();
    const off = buildTrainGraph(p.spec, p.weights, { lora: { ...LORA, useRslora: false, useDora: false } }).serialize();
    expect(Buffer.from(off).equals(Buffer.from(plain))).toBe(true);
  });
});

describe('PEFT adapter files with use_rslora / use_dora', () => {
  const cfg: LoraAdapterConfig = { r: 2, alpha: 4, dropout: 0, targetModules: ['q_proj'], init: 'gaussian', baseModel: 'tiny' };
  const tensors = new Map([
    ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', { shape: [2, 3], data: new Float32Array(6) }],
    ['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', { shape: [4, 2], data: new Float32Array(8) }],
  ]);

  it('writes the flags (false when absent, the existing key order) and reads them back only where allowed', () => {
    const plain = join(work, 'plain');
    writePeftAdapter(plain, cfg, tensors);
    const json = JSON.parse(readFileSync(join(plain, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect([json.use_rslora, json.use_dora]).toEqual([false, false]);
    expect(Object.keys(json).slice(-3)).toEqual(['use_rslora', 'use_dora', 'revision']);

    const dora = join(work, 'dora');
    const m = { shape: [4], data: Float32Array.of(1, 2, 3, 4) };
    writePeftAdapter(dora, { ...cfg, useRslora: true, useDora: true }, new Map([...tensors, ['base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector', m]]));
    expect(JSON.parse(readFileSync(join(dora, 'adapter_config.json'), 'utf8'))).toMatchObject({ use_rslora: true, use_dora: true });
    expect(() => readPeftAdapter(dora)).toThrow(/is a DoRA adapter \(use_dora: true\), which this operation does not support/);
    expect(() => readPeftAdapter(dora, { dora: true })).toThrow(/is an rsLoRA adapter \(use_rslora: true\)/);
    const back = readPeftAdapter(dora, { dora: true, rslora: true });
    expect(back.config).toMatchObject({ useRslora: true, useDora: true });
    expect(Array.from(back.tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector')?.data ?? [])).toEqual([1, 2, 3, 4]);
    expect(readPeftAdapter(plain).config).toMatchObject({ useRslora: false, useDora: false });
  });
});
