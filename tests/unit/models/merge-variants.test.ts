// Merging rsLoRA and DoRA adapters: the merged model's loss equals base + adapter's (engine graphs, and torch when present),
// merged values equal the float64 formula rounded once, and a DoRA adapter lacking a magnitude is refused by name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../src-main/common/model-spec';
import { checkpointTensors } from '../../../src-main/engine/io/checkpoint-files';
import {
  Prng, buildEvalGraph, checkpointWeightReader, initDoraMagnitudes, loraScale, loraTensors, type LoraConfig,
} from '../../../src-main/engine/nn';
import { readModelConfig } from '../../../src-main/models/hf/config';
import { decodeFloats, mergeAdapter } from '../../../src-main/models/merge';
import { loraPairs, readPeftAdapter, writePeftAdapter, type AdapterTensor } from '../../../src-main/models/peft';
import { readTensorBytes } from '../../../src-main/models/safetensors';
import { hasTorch, runReference } from '../../reference/reference';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';
import { int64Feed, resolveWeights, runBuilt } from '../engine/nn/checkpoint';
import { makeBatch } from '../engine/nn/fixtures';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-merge-variants-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => TINY_MODELS.find((m) => m.id === id)!;
const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** A, B random (B ~ N(0, 0.05) as writeRandomAdapter); DoRA magnitudes ‖W + s·B·A‖ × U(0.8, 1.2). */
function writeVariantAdapter(dir: string, baseDir: string, spec: ModelSpec, cfg: LoraConfig, seed: number): Map<string, AdapterTensor> {
  const rng = new Prng(seed);
  const values = new Map<string, Float32Array>();
  for (const t of loraTensors(spec, cfg)) if (t.kind !== 'magnitude') values.set(t.name, rng.normalArray(t.shape[0] * t.shape[1], t.kind === 'A' ? 1 / cfg.r : 0.05));
  if (cfg.useDora) {
    for (const [name, m] of initDoraMagnitudes(spec, cfg, checkpointWeightReader(baseDir), values)) values.set(name, m.map((v) => v * (0.8 + 0.4 * rng.uniform())));
  }
  const tensors = new Map(loraTensors(spec, cfg).map((t) => [t.name, { shape: [...t.shape], data: values.get(t.name)! }]));
  const targets = cfg.targets === 'all-linear' ? ALL : [...cfg.targets];
  writePeftAdapter(dir, { r: cfg.r, alpha: cfg.alpha, dropout: 0, targetModules: targets, init: 'gaussian', baseModel: 'tiny', useRslora: cfg.useRslora, useDora: cfg.useDora }, tensors);
  return tensors;
}

const CASES: [string, string, LoraConfig][] = [
  ['llama', 'rslora', { r: 4, alpha: 4, targets: 'all-linear', useRslora: true }],
  ['llama', 'dora', { r: 4, alpha: 8, targets: 'all-linear', useDora: true }],
  ['qwen2', 'dora+rslora', { r: 4, alpha: 6, targets: ['q_proj', 'v_proj', 'o_proj', 'down_proj'], useDora: true, useRslora: true }],
  ['qwen3', 'dora', { r: 2, alpha: 4, targets: 'all-linear', useDora: true }],
];

describe.each(CASES)('merge %s %s', (id, variant, cfg) => {
  const folder = join(work, `${id}-${variant}`);
  const base = join(folder, 'base');
  const adapterDir = join(folder, 'adapter');
  const merged = join(folder, 'merged');

  it('the merged model gives the loss of base + adapter (engine, 1e-5), and of torch\'s base + adapter when torch is present', async () => {
    writeTinyModel(base, model(id));
    const spec = readModelConfig(base);
    writeVariantAdapter(adapterDir, base, spec, cfg, 31);
    mergeAdapter({ baseDir: base, adapterDir, outDir: merged });

    const batch = makeBatch(spec.vocabSize, 8);
    const feeds = { input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels) };
    const adapter = readPeftAdapter(adapterDir, { rslora: true, dora: true });
    const adapterFeeds = Object.fromEntries([...adapter.tensors].map(([name, t]) => [name, { data: t.data, dims: t.shape }]));
    const baseGraph = join(folder, 'graph-base');
    const withAdapter = await runBuilt(buildEvalGraph(spec, resolveWeights(base, baseGraph), { lora: cfg }), baseGraph, { ...feeds, ...adapterFeeds });
    const mergedGraph = join(folder, 'graph-merged');
    const plainMerged = await runBuilt(buildEvalGraph(spec, resolveWeights(merged, mergedGraph)), mergedGraph, feeds);
    const plainBase = await runBuilt(buildEvalGraph(spec, resolveWeights(base, baseGraph)), baseGraph, feeds, 'plain.onnx');
    const [lossAdapter, lossMerged, lossBase] = [withAdapter, plainMerged, plainBase].map((o) => Number(o.loss.data[0]));
    expect(rel(lossMerged, lossAdapter)).toBeLessThan(1e-5);
    expect(rel(lossMerged, lossBase)).toBeGreaterThan(1e-3); // the adapter really changes the model

    if (!hasTorch) return;
    const targets = cfg.targets === 'all-linear' ? ALL : [...cfg.targets];
    const common = { input_ids: batch.inputIds, labels: batch.labels, dtypes: ['float64' as const], grad_weights: true };
    const ref = runReference([
      { id: 'merged', model_dir: merged, lora: null, ...common },
      { id: 'adapter', model_dir: base, lora: { r: cfg.r, alpha: cfg.alpha, targets, file: join(adapterDir, 'adapter_model.safetensors'), use_rslora: cfg.useRslora, use_dora: cfg.useDora }, ...common },
    ], folder);
    // The merged weights are float32 roundings of float64 values, so the float64 losses differ by float32 rounding only.
    expect(rel(ref.merged.float64!.loss, ref.adapter.float64!.loss)).toBeLessThan(1e-5);
    expect(rel(lossAdapter, ref.adapter.float64!.loss)).toBeLessThan(1e-5);
  }, 60_000);
});

describe('merge a DoRA adapter into a bf16 model', () => {
  it('writes m ⊙ (W + s·B·A)/‖W + s·B·A‖ per row, rounded once to bf16', () => {
    const base = join(work, 'bf16', 'base');
    const adapterDir = join(work, 'bf16', 'adapter');
    const out = join(work, 'bf16', 'merged');
    writeTinyModel(base, model('llama-bf16'));
    const spec = readModelConfig(base);
    const cfg: LoraConfig = { r: 2, alpha: 4, targets: ['q_proj', 'down_proj'], useDora: true, useRslora: true };
    writeVariantAdapter(adapterDir, base, spec, cfg, 5);
    mergeAdapter({ baseDir: base, adapterDir, outDir: out });
    const s = loraScale(cfg);
    const pairs = loraPairs(readPeftAdapter(adapterDir, { rslora: true, dora: true }));
    expect(pairs.every((p) => p.m)).toBe(true);
    const [baseT, mergedT] = [checkpointTensors(base), checkpointTensors(out)];
    for (const pair of pairs) {
      const name = `${pair.module}.weight`;
      const w = decodeFloats(readTensorBytes(baseT.get(name)!), 'BF16');
      const got = decodeFloats(readTensorBytes(mergedT.get(name)!), 'BF16');
      const [r, inF] = pair.a.shape;
      for (let o = 0; o < pair.b.shape[0]; o++) {
        const row = Array.from({ length: inF }, (_, i) => {
          let d = 0;
          for (let k = 0; k < r; k++) d += pair.b.data[o * r + k] * pair.a.data[k * inF + i];
          return w[o * inF + i] + s * d;
        });
        const f = pair.m!.data[o] / Math.sqrt(row.reduce((acc, v) => acc + v * v, 0));
        // float64 → float32 → bf16: within half a bf16 ulp (plus the float32 step's 2^-24) of the exact value.
        for (let i = 0; i < inF; i++) expect(Math.abs(got[o * inF + i] - f * row[i])).toBeLessThanOrEqual((2 ** -8 + 2 ** -23) * Math.abs(f * row[i]) + 2 ** -133);
      }
    }
  });

  it('refuses a DoRA adapter that lacks a module\'s magnitude, naming it', () => {
    const adapter = readPeftAdapter(join(work, 'bf16', 'adapter'), { rslora: true, dora: true });
    adapter.tensors.delete('base_model.model.model.layers.0.mlp.down_proj.lora_magnitude_vector');
    expect(() => loraPairs(adapter)).toThrow(/use_dora.*module model\.layers\.0\.mlp\.down_proj has no lora_magnitude_vector/);
  });
});
