// Prompt-learning graphs without torch: the ONNX checker accepts them, right-padded batches keep the real tokens' loss
// well-defined, the base stays frozen, and a prompt with LoRA or trainable 'all' is refused.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvalGraph, buildTrainGraph } from '../../../../src-main/engine/nn';
import { initPromptParams } from '../../../../src-main/engine/nn/prompt';
import { buildPromptEmbeddingGraph } from '../../../../src-main/engine/nn/prompt-adapter';
import { onnxCheck } from '../../../reference/onnx-checker';
import { pythonHas } from '../../../reference/python-modules';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, runBuilt } from './checkpoint';
import { LORA, countedTokens, makeBatch, prepare } from './fixtures';
import { PROMPT_CONFIGS, promptFeeds } from './prompt-fixtures';

const hasOnnx = pythonHas('onnx');
const work = mkdtempSync(join(tmpdir(), 'nn-prompt-graph-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const tiny = (id: string) => prepare(work, TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number]);

describe.skipIf(!hasOnnx)('ONNX checker on prompt-learning graphs (skipped: no python3-onnx)', () => {
  it('accepts train and eval graphs of every method (bf16 base weights) and the prompt_embeddings graphs', () => {
    const p = tiny('llama-bf16');
    const files: string[] = [];
    for (const [name, cfg] of Object.entries(PROMPT_CONFIGS)) {
      const add = (file: string, bytes: Uint8Array) => {
        writeFileSync(join(p.graphDir, file), bytes);
        files.push(join(p.graphDir, file));
      };
      add(`${name}-train.onnx`, buildTrainGraph(p.spec, p.weights, { prompt: cfg }).serialize());
      add(`${name}-eval.onnx`, buildEvalGraph(p.spec, p.weights, { prompt: cfg }).serialize());
      add(`${name}-embeddings.onnx`, buildPromptEmbeddingGraph(p.spec, cfg).serialize());
    }
    const lines = onnxCheck(files);
    expect(lines.filter((l) => !l.startsWith('OK'))).toEqual([]);
    expect(lines).toHaveLength(files.length);
  });
});

describe('prompt-learning graphs', () => {
  it('refuses a prompt together with LoRA or trainable all', () => {
    const p = tiny('llama');
    const prompt = PROMPT_CONFIGS['ptuning-mlp'];
    expect(() => buildTrainGraph(p.spec, p.weights, { prompt, lora: LORA })).toThrow(/prompt learning .* no LoRA config/);
    expect(() => buildTrainGraph(p.spec, p.weights, { prompt, trainable: 'all' })).toThrow(/trainable 'all'/);
  });

  it('keeps the base frozen: only the prompt tensors are inputs, no base weight gets a gradient', () => {
    const p = tiny('qwen3');
    const built = buildTrainGraph(p.spec, p.weights, { prompt: PROMPT_CONFIGS['prefix-proj'] });
    expect(built.weightInputs).toEqual([]);
    expect(built.paramNames.every((n) => n.startsWith('prompt_encoder.default.'))).toBe(true);
    expect(built.outputs.grads).toHaveLength(built.paramNames.length);
  });

  it.each(['ptuning-lstm', 'ptuning-mlp', 'prefix'])('%s: a right-padded batch gives each row the loss it has alone, pads ignored', async (c) => {
    const p = tiny('llama');
    const cfg = PROMPT_CONFIGS[c];
    const built = buildEvalGraph(p.spec, p.weights, { prompt: cfg });
    const params = promptFeeds(p.spec, cfg, initPromptParams(p.spec, cfg, 5));
    const run = async (ids: number[][], labels: number[][]) => {
      const out = await runBuilt(built, p.graphDir, { input_ids: int64Feed(ids), labels: int64Feed(labels), ...params }, `${c}-eval.onnx`);
      return { sum: Number(out.loss_sum.data[0]), count: Number(out.token_count.data[0]), loss: Number(out.loss.data[0]) };
    };
    const batch = makeBatch(p.spec.vocabSize, 77); // row 1: 14 real tokens, 6 right pads
    const whole = await run(batch.inputIds, batch.labels);
    const row0 = await run([batch.inputIds[0]], [batch.labels[0]]);
    const row1 = await run([batch.inputIds[1].slice(0, 14)], [batch.labels[1].slice(0, 14)]);
    expect(whole.count).toBe(countedTokens(batch.labels)); // labels[0] is masked in both rows
    expect(whole.count).toBe(row0.count + row1.count);
    expect(Math.abs(whole.sum - (row0.sum + row1.sum)) / whole.sum).toBeLessThanOrEqual(1e-5);
    expect(Number.isFinite(whole.loss) && Math.abs(whole.loss - whole.sum / whole.count) <= 1e-6 * whole.loss).toBe(true);
    // Whatever the pads hold, nothing changes.
    const noisy = batch.inputIds.map((row, b) => row.map((v, t) => (b === 1 && t >= 14 ? 1 + ((7 * t) % 200) : v)));
    expect((await run(noisy, batch.labels)).sum).toBe(whole.sum);
  });
});
