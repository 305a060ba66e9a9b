// fp16 autocast on a provider's own float16 kernels (BuildOptions.nativeLowPrecision, nn/precision.ts lowpMatmul): the
// graph's matmuls become float16 MatMul nodes between exact casts, forward and backward, and everything else stays the
// emulated rounding. This CPU provider has no float16 MatMul: onnxruntime runs it in fp32 between casts it inserts and
// then drops cast pairs around it, so on the CPU a native graph is not faithful (its numbers are between emulated fp16
// and fp32) and the engine never chooses it there (services/train/execution.ts); only its structure and the trainer's
// path are checked here. On a GPU the same graph runs the real kernels: scripts/gpu-check/webgpu-check.ts
// measured it on an H200 through WebGPU (results in scripts/gpu-check/results/).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainJobParams, TrainMetricsRow } from '../../../../src-main/common/train';
import { buildTrainGraph } from '../../../../src-main/engine/nn';
import { runTraining } from '../../../../src-main/engine/train/trainer';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { ModelProto } from '../../../../src-main/engine/onnx/proto';
import { LORA, prepare } from '../nn/fixtures';
import { PARITY_LORA, randomExamples, writeExamples, writeInitAdapter } from '../train/helpers';

const work = mkdtempSync(join(tmpdir(), 'precision-native-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number];

describe('native fp16 matmuls (BuildOptions.nativeLowPrecision)', () => {
  it('turns every matmul of the fp16 train graph, forward and backward, into a float16 MatMul; bf16 stays emulated', () => {
    const p = prepare(work, model('qwen2'));
    const matmuls = (opts: Parameters<typeof buildTrainGraph>[2]) =>
      buildTrainGraph(p.spec, p.weights, { lora: LORA, ...opts }).graph.nodes.filter((n) => n.op.name === 'MatMul').map((n) => n.inputs.map((v) => v.dtype).join('/'));
    const emulated = matmuls({ precision: 'fp16' });
    const native = matmuls({ precision: 'fp16', nativeLowPrecision: true });
    expect(native.length).toBe(emulated.length);
    expect(new Set(emulated)).toEqual(new Set(['float32/float32']));
    expect(new Set(native)).toEqual(new Set(['float16/float16']));
    expect(new Set(matmuls({ precision: 'bf16', nativeLowPrecision: true }))).toEqual(new Set(['float32/float32']));
    expect(new Set(matmuls({ nativeLowPrecision: true }))).toEqual(new Set(['float32/float32'])); // fp32: nothing to do
  });

  it('trains through the trainer with nativePrecision: float16 MatMuls in the graph it writes, the loss scaler at work, and it learns', async () => {
    const modelDir = writeTinyModel(join(work, 'model'), model('qwen2'));
    const spec = readModelConfig(modelDir);
    const data = writeExamples(join(work, 'train.jsonl'), randomExamples(12, spec.vocabSize, 8));
    const initAdapter = writeInitAdapter(join(work, 'init-adapter'), spec, modelDir);
    const params: TrainJobParams = {
      modelDir, spec, trainData: data, evalData: null, padId: 0, method: 'lora', lora: { ...PARITY_LORA, dropout: 0, init: 'gaussian' },
      initAdapter, optimizer: 'adamw', lr: 5e-3, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1,
      schedule: 'linear', warmupSteps: 2, precision: 'fp16', batchSize: 3, gradAccum: 2, steps: 16, seed: 7, shuffle: true,
      evalEvery: 0, saveEvery: 0, threads: 2, nativePrecision: true,
    };
    const runDir = join(work, 'run');
    const logs: string[] = [];
    await runTraining(params, runDir, { emit: (m) => { if (m.type === 'log') logs.push(m.text); }, stopReason: () => null });
    expect(logs.some((l) => l.includes("matmuls on cpu's float16 kernels"))).toBe(true);
    // The graph the trainer wrote: every MatMul reads float16 values (a Cast to TensorProto FLOAT16 = 10, or a layout op
    // over one: the backward matmuls read transposed and reshaped copies).
    type OnnxNode = { op_type: string; input: string[]; output: string[]; attribute?: { name: string; i?: unknown }[] };
    const nodes = (ModelProto.decode(readFileSync(join(runDir, 'graph', 'train.onnx'))) as unknown as { graph: { node: OnnxNode[] } }).graph.node;
    const producer = new Map(nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
    const isF16 = (name: string): boolean => {
      const p = producer.get(name);
      if (!p) return false;
      if (p.op_type === 'Cast') return Number(p.attribute?.find((a) => a.name === 'to')?.i) === 10;
      return ['Transpose', 'Reshape', 'Identity', 'Squeeze', 'Unsqueeze'].includes(p.op_type) && isF16(p.input[0]);
    };
    const matmuls = nodes.filter((n) => n.op_type === 'MatMul');
    expect(matmuls.length).toBeGreaterThan(20);
    expect(matmuls.filter((n) => !n.input.every(isF16)).map((n) => n.output[0])).toEqual([]);
    const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetricsRow);
    // Dynamic scaling from 2^16 overflows fp16 in the first steps, as with emulation (autocast-train-parity.test.ts).
    expect(rows.some((r) => r.overflow === 1)).toBe(true);
    expect(rows.every((r) => Number.isFinite(r.loss))).toBe(true);
    const mean = (rs: TrainMetricsRow[]) => rs.reduce((t, r) => t + r.loss, 0) / rs.length;
    expect(mean(rows.slice(-4))).toBeLessThan(mean(rows.slice(0, 4)) - 0.3);
  }, 120_000);
});
