// P-tuning and prefix tuning in the trainer: only the prompt encoder trains, the loss falls, the result is a PEFT prompt
// adapter whose prompt_embeddings are the trained encoder's output, and a stopped run resumes onto the same trajectory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams } from '../../../../src-main/common/train';
import { adapterSummary, methodDefaults } from '../../../../src-main/common/adapter-methods';
import { readPeftPrompt } from '../../../../src-main/engine/io/peft-prompt';
import { readSafetensorsHeader } from '../../../../src-main/engine/io/safetensors';
import { buildEvalGraph } from '../../../../src-main/engine/nn';
import { EngineSession } from '../../../../src-main/engine/runtime';
import { loadEvalAdapter } from '../../../../src-main/engine/train/eval-adapter';
import { evaluateOnSession } from '../../../../src-main/engine/train/evaluate';
import { readTokenizedExamples } from '../../../../src-main/engine/train/examples';
import { resolveWeightRefs } from '../../../../src-main/engine/train/weights';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { relError } from '../nn/checkpoint';
import { randomExamples, writeExamples } from './helpers';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function setup(method: 'ptuning' | 'prefix', encoder: 'lstm' | 'mlp' | 'none') {
  const root = mkdtempSync(join(tmpdir(), 'ftstudio-prompt-'));
  roots.push(root);
  const modelDir = writeTinyModel(join(root, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
  const spec = readModelConfig(modelDir);
  // Few examples seen many times: the prompt can memorise them, so the loss must fall.
  const examples = randomExamples(4, spec.vocabSize, 5);
  const params: TrainJobParams = {
    modelDir, spec, trainData: writeExamples(join(root, 'train.jsonl'), examples), evalData: writeExamples(join(root, 'eval.jsonl'), examples.slice(0, 2)),
    padId: 0, method, prompt: { virtualTokens: 4, encoder, encoderHidden: 16 },
    lora: { r: 8, alpha: 16, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter: null, optimizer: 'adamw',
    // A plain table starts at N(0, 1) values (torch's nn.Embedding init) and needs larger steps than an encoder's output.
    lr: encoder === 'none' ? 5e-2 : 1e-2,
    weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant', warmupSteps: 0,
    batchSize: 2, gradAccum: 1, steps: 16, seed: 7, shuffle: true, evalEvery: 8, saveEvery: 0, threads: 2,
  };
  return { root, params };
}

const rows = (runDir: string) => readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('prompt methods in the trainer', () => {
  for (const [method, encoder, peftType] of [['ptuning', 'lstm', 'P_TUNING'], ['ptuning', 'mlp', 'P_TUNING'], ['ptuning', 'none', 'PROMPT_TUNING'], ['prefix', 'mlp', 'PREFIX_TUNING'], ['prefix', 'none', 'PREFIX_TUNING']] as const) {
    it(`${method} (${encoder}): the eval loss falls and the adapter is PEFT's ${peftType}`, async () => {
      const { root, params } = setup(method, encoder);
      const runDir = join(root, 'run');
      const result = await runTraining(params, runDir, { emit: () => {}, stopReason: () => null });
      expect(result.adapterDir).toBe(join(runDir, 'adapter'));
      const evals = rows(runDir).filter((r) => 'eval_loss' in r).map((r) => r.eval_loss as number);
      const first = rows(runDir).find((r) => 'loss' in r).loss as number;
      console.log(`${method}/${encoder}: first train loss ${first.toFixed(3)}, eval losses ${evals.map((v) => v.toFixed(3)).join(' → ')}`);
      expect(evals.at(-1)!).toBeLessThan(first * 0.9);
      const adapter = readPeftPrompt(result.adapterDir!);
      expect(adapter.peftType).toBe(peftType);
      expect(adapter.encoder).not.toBeNull();
      expect(JSON.parse(readFileSync(join(result.adapterDir!, 'adapter_config.json'), 'utf8'))).toMatchObject({ peft_type: peftType, num_virtual_tokens: 4 });
      // The Adapter wizard's count of trainable and saved values is what the engine trains and writes.
      const summary = adapterSummary(params.spec, { ...methodDefaults(method), virtualTokens: 4, encoder, encoderHidden: 16 });
      const elements = (file: string) => [...readSafetensorsHeader(join(result.adapterDir!, file)).tensors.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
      expect(elements('prompt_encoder.safetensors')).toBe(summary.trainable);
      expect(elements('prompt_encoder.safetensors') + elements('adapter_model.safetensors')).toBe(summary.saved);
      // The exported adapter, loaded back for evaluation (as scoring and the baseline do), gives the run's last eval loss.
      const loaded = loadEvalAdapter(result.adapterDir!);
      const built = buildEvalGraph(params.spec, resolveWeightRefs(params.modelDir, join(root, 'eval-graph')), { ...loaded.graph, name: 'eval' });
      writeFileSync(join(root, 'eval-graph', 'eval.onnx'), built.serialize());
      const session = await EngineSession.create(join(root, 'eval-graph', 'eval.onnx'), { intraOpThreads: 1 });
      const feeds = Object.fromEntries(built.params.map((q) => [q.name, { data: loaded.tensors.get(q.name)!, dims: q.shape }]));
      const again = await evaluateOnSession(session, readTokenizedExamples(params.evalData!), params.batchSize, 0, feeds);
      await session.release();
      expect(Math.abs(again.loss - evals.at(-1)!) / evals.at(-1)!).toBeLessThan(1e-6);
    }, 120_000);
  }

  it('a stopped P-tuning run resumes onto the trajectory of an uninterrupted one', async () => {
    const { root, params } = setup('ptuning', 'lstm');
    const p = { ...params, evalData: null, evalEvery: 0, steps: 8 };
    await runTraining(p, join(root, 'straight'), { emit: () => {}, stopReason: () => null });
    let step = 0;
    const runDir = join(root, 'stopped');
    await runTraining(p, runDir, { emit: (m) => { if (m.type === 'metrics') step = m.step; }, stopReason: () => (step >= 3 ? 'cancel' : null) });
    await runTraining(p, runDir, { emit: () => {}, stopReason: () => null });
    const a = readPeftPrompt(join(root, 'straight', 'adapter'));
    const b = readPeftPrompt(join(runDir, 'adapter'));
    expect(relError(b.promptEmbeddings.data, a.promptEmbeddings.data)).toBeLessThan(1e-6);
  }, 120_000);
});
