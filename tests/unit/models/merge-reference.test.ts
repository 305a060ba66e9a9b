// The merged folder against PyTorch: a plain-torch merge gives the same tensors, and the merged model, base + adapter in
// the reference and the engine's evaluateLoss all give the same eval loss (relative 1e-5).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoraConfig } from '../../../src-main/engine/nn';
import { Prng } from '../../../src-main/engine/nn';
import { evaluateLoss } from '../../../src-main/engine/train/evaluate';
import { readModelConfig } from '../../../src-main/models/hf/config';
import { mergeAdapter } from '../../../src-main/models/merge';
import { readPeftAdapter } from '../../../src-main/models/peft';
import { compareWithReferenceMerge } from '../../reference/export/merge-reference';
import { writeRandomAdapter } from '../../reference/export/random-adapter';
import { hasTorch, runReference } from '../../reference/reference';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-merge-ref-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => TINY_MODELS.find((m) => m.id === id)!;

interface Built { base: string; adapter: string; merged: string; cfg: LoraConfig }

function build(id: string, cfg: LoraConfig, seed: number, folder = id): Built {
  const base = writeTinyModel(join(work, folder, 'base'), model(id));
  const adapter = join(work, folder, 'adapter');
  writeRandomAdapter(adapter, readModelConfig(base), cfg, seed);
  const merged = join(work, folder, 'merged');
  mergeAdapter({ baseDir: base, adapterDir: adapter, outDir: merged });
  return { base, adapter, merged, cfg };
}

/** Equal-length rows (no padding question), each with a masked prompt of a different length. */
function evalRows(vocab: number, seed: number, rows = 4, S = 16): { inputIds: number[]; labels: number[] }[] {
  const rng = new Prng(seed);
  return Array.from({ length: rows }, (_, b) => {
    const inputIds = Array.from({ length: S }, () => 1 + (rng.nextU32() % (vocab - 1)));
    return { inputIds, labels: inputIds.map((v, t) => (t < 2 + b ? -100 : v)) };
  });
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.skipIf(!hasTorch)('merge vs PyTorch', () => {
  it.each([
    ['llama', { r: 4, alpha: 8, targets: 'all-linear' }],
    ['qwen2', { r: 2, alpha: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'up_proj'] }],
    ['llama-bf16', { r: 4, alpha: 16, targets: 'all-linear' }],
    ['qwen2-f16', { r: 4, alpha: 4, targets: ['o_proj', 'down_proj'] }],
    ['qwen3-sharded', { r: 8, alpha: 16, targets: 'all-linear' }],
  ] as [string, LoraConfig][])('%s: every merged tensor equals torch\'s W + (alpha/r)·B@A in the base dtype; the rest is unchanged', (id, cfg) => {
    const b = build(id, cfg, 21);
    const cmp = compareWithReferenceMerge(b.base, b.adapter, b.merged);
    expect(cmp.missing).toEqual([]);
    expect(cmp.extra).toEqual([]);
    expect(cmp.unchanged_equal).toBe(true);
    expect(cmp.merged.length).toBeGreaterThan(0);
    expect(new Set(Object.values(cmp.dtypes))).toEqual(new Set([model(id).dtype]));
    for (const name of cmp.merged) expect(cmp.mismatched_elements[name], name).toBe(0);
  });

  it.each([
    ['llama', { r: 4, alpha: 8, targets: 'all-linear' }],
    ['qwen2', { r: 4, alpha: 16, targets: ['q_proj', 'v_proj', 'gate_proj', 'down_proj'] }],
    ['qwen3', { r: 2, alpha: 4, targets: 'all-linear' }],
  ] as [string, LoraConfig][])('%s: merged model, base + adapter (torch) and the engine\'s evaluateLoss agree within 1e-5', async (id, cfg) => {
    const b = build(id, cfg, 5, `${id}-loss`);
    const spec = readModelConfig(b.base);
    const rows = evalRows(spec.vocabSize, 9);
    const targets = cfg.targets === 'all-linear' ? ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] : [...cfg.targets];
    // grad_weights only because the reference always runs a backward pass, which needs something to differentiate.
    const batch = { input_ids: rows.map((r) => r.inputIds), labels: rows.map((r) => r.labels), dtypes: ['float32' as const], grad_weights: true };
    const ref = runReference([
      { id: 'merged', model_dir: b.merged, lora: null, ...batch },
      { id: 'adapter', model_dir: b.base, lora: { r: cfg.r, alpha: cfg.alpha, targets, file: join(b.adapter, 'adapter_model.safetensors') }, ...batch },
      { id: 'base', model_dir: b.base, lora: null, ...batch },
    ], work);
    const merged = ref.merged.float32!.loss;
    const withAdapter = ref.adapter.float32!.loss;
    expect(rel(merged, withAdapter)).toBeLessThan(1e-5);
    expect(rel(merged, ref.base.float32!.loss)).toBeGreaterThan(1e-3); // the adapter really changes the model

    const engine = await evaluateLoss({
      modelDir: b.base, spec, workDir: join(work, `${id}-eval`), adapter: readPeftAdapter(b.adapter), examples: rows, batchSize: 2, padId: 0, threads: 1,
    });
    expect(engine.tokens).toBe(ref.adapter.float32!.token_count);
    expect(rel(engine.loss, withAdapter)).toBeLessThan(1e-5);
    expect(rel(engine.loss, merged)).toBeLessThan(1e-5);
    const engineMerged = await evaluateLoss({
      modelDir: b.merged, spec, workDir: join(work, `${id}-eval-merged`), adapter: null, examples: rows, batchSize: 2, padId: 0, threads: 1,
    });
    expect(rel(engineMerged.loss, merged)).toBeLessThan(1e-5);
  });
});
