// The nn graphs (LoRA train graph with bf16 external weights, full train graph, eval graph) pass Debian's ONNX checker.

import { onnxCheck } from '../../../reference/onnx-checker';
import { pythonHas } from '../../../reference/python-modules';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvalGraph, buildTrainGraph } from '../../../../src-main/engine/nn';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { LORA, prepare } from './fixtures';

const hasOnnx = pythonHas('onnx');
const work = mkdtempSync(join(tmpdir(), 'nn-onnx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


describe.skipIf(!hasOnnx)('ONNX checker on nn graphs (skipped: no python3-onnx)', () => {
  it('accepts train graphs (bf16 LoRA, qwen3 trainable all) and an eval graph', () => {
    const files: string[] = [];
    const add = (graphDir: string, name: string, bytes: Uint8Array) => {
      const f = join(graphDir, name);
      writeFileSync(f, bytes);
      files.push(f);
    };
    const bf16 = prepare(work, TINY_MODELS.find((m) => m.id === 'llama-bf16') as (typeof TINY_MODELS)[number]);
    add(bf16.graphDir, 'train.onnx', buildTrainGraph(bf16.spec, bf16.weights, { lora: LORA }).serialize());
    add(bf16.graphDir, 'eval.onnx', buildEvalGraph(bf16.spec, bf16.weights).serialize());
    const qwen3 = prepare(work, TINY_MODELS.find((m) => m.id === 'qwen3') as (typeof TINY_MODELS)[number]);
    add(qwen3.graphDir, 'all.onnx', buildTrainGraph(qwen3.spec, qwen3.weights, { trainable: 'all' }).serialize());
    const lines = onnxCheck(files);
    expect(lines.filter((l) => !l.startsWith('OK'))).toEqual([]);
    expect(lines).toHaveLength(files.length);
  });
});
