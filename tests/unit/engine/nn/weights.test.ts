// Weights and graph folders: errors that name the tensor, hard links out of HF-style symlinked snapshots, dynamic B/S.

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, renameSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvalGraph, linkWeightFiles, type WeightRef } from '../../../../src-main/engine/nn';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { int64Feed, runBuilt } from './checkpoint';
import { makeBatch, prepare } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'nn-weights-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const llama = TINY_MODELS.find((m) => m.id === 'llama') as (typeof TINY_MODELS)[number];
const p = prepare(work, llama);

function without(name: string): WeightRef[] {
  return p.weights.filter((w) => w.name !== name);
}

function replaced(name: string, patch: Partial<WeightRef>): WeightRef[] {
  return p.weights.map((w) => (w.name === name ? { ...w, ...patch } : w));
}

describe('weights', () => {
  it('a missing tensor is named', () => {
    expect(() => buildEvalGraph(p.spec, without('model.layers.1.mlp.up_proj.weight'))).toThrow("weight 'model.layers.1.mlp.up_proj.weight' is missing");
  });

  it('an unsupported dtype is named with the tensor', () => {
    const refs = replaced('model.norm.weight', { dtype: 'F64' as WeightRef['dtype'], length: 64 * 8 });
    expect(() => buildEvalGraph(p.spec, refs)).toThrow(/weight 'model.norm.weight' has unsupported dtype "F64" \(supported: F32, F16, BF16\)/);
  });

  it('a shape that disagrees with the config is named', () => {
    const refs = replaced('model.layers.0.self_attn.k_proj.weight', { shape: [64, 64], length: 64 * 64 * 4 });
    expect(() => buildEvalGraph(p.spec, refs)).toThrow(/'model.layers.0.self_attn.k_proj.weight' has shape \[64,64\], the config implies \[32,64\]/);
  });

  it('an untied checkpoint without lm_head.weight falls back to the embeddings (as HF ties)', () => {
    const g = buildEvalGraph(p.spec, without('lm_head.weight')).graph;
    expect(g.initializers.map((i) => i.value.name)).not.toContain('lm_head.weight');
  });

  it('one graph serves any B and S: rows are independent, shorter sequences work', async () => {
    const built = buildEvalGraph(p.spec, p.weights);
    const { inputIds, labels } = makeBatch(p.spec.vocabSize, 5);
    const both = await runBuilt(built, p.graphDir, { input_ids: int64Feed(inputIds), labels: int64Feed(labels) }, 'eval.onnx');
    const rows = [];
    for (let b = 0; b < 2; b++) rows.push(await runBuilt(built, p.graphDir, { input_ids: int64Feed([inputIds[b]]), labels: int64Feed([labels[b]]) }, 'eval.onnx'));
    const sum = Number(rows[0].loss_sum.data[0]) + Number(rows[1].loss_sum.data[0]);
    expect(Math.abs(Number(both.loss_sum.data[0]) - sum) / sum).toBeLessThan(1e-6);
    expect(Number(both.token_count.data[0])).toBe(Number(rows[0].token_count.data[0]) + Number(rows[1].token_count.data[0]));
    const short = await runBuilt(built, p.graphDir, { input_ids: int64Feed(inputIds.map((r) => r.slice(0, 7))), labels: int64Feed(labels.map((r) => r.slice(0, 7))) }, 'eval.onnx');
    expect(Number(short.token_count.data[0])).toBe(labels.reduce((n, r) => n + r.slice(1, 7).filter((v) => v !== -100).length, 0));
    expect(Number.isFinite(Number(short.loss.data[0]))).toBe(true);
  });
});

describe('graph folders', () => {
  /** blobs/<hash> + snapshots/<rev>/model.safetensors → ../../blobs/<hash>, as the Hugging Face cache lays it out. */
  function hfCache(root: string): string {
    const flat = writeTinyModel(join(root, 'flat'), llama);
    mkdirSync(join(root, 'blobs'), { recursive: true });
    renameSync(join(flat, 'model.safetensors'), join(root, 'blobs', 'abc123'));
    const snap = join(root, 'snapshots', 'rev1');
    mkdirSync(snap, { recursive: true });
    symlinkSync('../../blobs/abc123', join(snap, 'model.safetensors'));
    return join(snap, 'model.safetensors');
  }

  it('hard-links the blob behind a snapshot symlink, under the file name, idempotently', () => {
    const file = hfCache(join(work, 'cache'));
    const graphDir = join(work, 'cache-graph');
    const links = linkWeightFiles(graphDir, [file]);
    expect(links.get(file)).toBe('model.safetensors');
    const linked = statSync(join(graphDir, 'model.safetensors'));
    const blob = statSync(join(work, 'cache', 'blobs', 'abc123'));
    expect([linked.ino, linked.dev]).toEqual([blob.ino, blob.dev]);
    expect(linkWeightFiles(graphDir, [file]).get(file)).toBe('model.safetensors');
    expect(() => linkWeightFiles(join(work, 'cache', 'snapshots', 'rev1'), [file])).toThrow(/symlink/);
  });

  it('two different files with one name get distinct locations', () => {
    const a = writeTinyModel(join(work, 'twins', 'a'), llama);
    const b = writeTinyModel(join(work, 'twins', 'b'), llama);
    const links = linkWeightFiles(join(work, 'twins-graph'), [join(a, 'model.safetensors'), join(b, 'model.safetensors')]);
    expect(links.get(join(a, 'model.safetensors'))).toBe('model.safetensors');
    expect(links.get(join(b, 'model.safetensors'))).toBe('1-model.safetensors');
  });

  const shm = '/dev/shm';
  const otherFs = existsSync(shm) && statSync(shm).dev !== statSync(tmpdir()).dev && (() => {
    try {
      accessSync(shm, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!otherFs)('across filesystems: a copy, announced, by default; a clear error when copies are refused', () => {
    const dir = mkdtempSync(join(shm, 'nn-xdev-'));
    try {
      const file = join(writeTinyModel(dir, llama), 'model.safetensors');
      expect(() => linkWeightFiles(join(work, 'xdev-refused'), [file], { copyFallback: false })).toThrow(/cannot hard-link .* \(EXDEV\): the graph folder must be on the same filesystem/);
      const copies: string[] = [];
      const links = linkWeightFiles(join(work, 'xdev-graph'), [file], { onCopy: (_from, _to, code) => copies.push(code) });
      expect(statSync(join(work, 'xdev-graph', links.get(file) as string)).size).toBe(statSync(file).size);
      expect(copies).toEqual(['EXDEV']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
