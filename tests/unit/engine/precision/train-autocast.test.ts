// Emulated autocast in the train graph (BuildOptions.precision) and the loss-scale input (lossScaleInput).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTrainGraph, type ComputePrecision } from '../../../../src-main/engine/nn';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, runBuilt } from '../nn/checkpoint';
import { LORA, adapterFeeds, makeBatch, prepare, randomAdapter } from '../nn/fixtures';

const work = mkdtempSync(join(tmpdir(), 'precision-autocast-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number];

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
}

describe('emulated autocast (BuildOptions.precision)', () => {
  it("'fp32' builds the byte-identical graph of no precision option", () => {
    const p = prepare(work, model('qwen2'));
    const plain = serializeModel(buildTrainGraph(p.spec, p.weights, { lora: LORA }).graph);
    const fp32 = serializeModel(buildTrainGraph(p.spec, p.weights, { lora: LORA, precision: 'fp32' }).graph);
    expect(Buffer.from(fp32).equals(Buffer.from(plain))).toBe(true);
    const bf16 = serializeModel(buildTrainGraph(p.spec, p.weights, { lora: LORA, precision: 'bf16' }).graph);
    expect(bf16.length).toBeGreaterThan(plain.length);
  });

  it('stays compact: the backward pass rounds each gradient once and never differentiates the rounding arithmetic', () => {
    // Measured on qwen2: fp32 812 nodes, fp16 3,784, bf16 4,504 (before StraightThrough: 9,247 and 11,786, most of it
    // the derivative of the rounding arithmetic; onnxruntime's session creation grows faster than linearly with it).
    const p = prepare(work, model('qwen2'));
    const count = (precision: ComputePrecision) => buildTrainGraph(p.spec, p.weights, { lora: LORA, precision }).graph.nodes.length;
    const fp32 = count('fp32');
    expect(count('fp16')).toBeLessThan(5 * fp32);
    expect(count('bf16')).toBeLessThan(6 * fp32);
  });

  for (const id of ['qwen2', 'qwen3']) {
    it(`${id}: bf16 / fp16 loss and gradients differ from fp32 by a small, plausible amount`, async () => {
      const p = prepare(work, model(id));
      const batch = makeBatch(p.spec.vocabSize, 5);
      const adapter = randomAdapter(p.spec, LORA, 9);
      const feeds = { input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels), ...adapterFeeds(p.spec, LORA, adapter) };
      const run = async (precision: ComputePrecision) => {
        const built = buildTrainGraph(p.spec, p.weights, { lora: LORA, precision });
        const out = await runBuilt(built, p.graphDir, feeds, `${precision}.onnx`);
        return { loss: out.loss.data[0] as number, grad: out[built.outputs.grads[0]].data as Float32Array, name: built.outputs.grads[0] };
      };
      const f32 = await run('fp32');
      const res: string[] = [];
      for (const [prec, maxLoss, maxGrad] of [['bf16', 2e-2, 0.1], ['fp16', 3e-3, 0.02]] as const) {
        const r = await run(prec);
        const dl = Math.abs(r.loss - f32.loss) / f32.loss;
        const dg = relErr(r.grad, f32.grad);
        res.push(`${prec}: loss ${r.loss.toFixed(6)} (rel ${dl.toExponential(2)}), ${r.name} rel ${dg.toExponential(2)}`);
        expect(dl).toBeGreaterThan(0);
        expect(dl).toBeLessThan(maxLoss);
        expect(dg).toBeGreaterThan(0);
        expect(dg).toBeLessThan(maxGrad);
      }
      console.log(`${id}: fp32 loss ${f32.loss.toFixed(6)}; ${res.join('; ')}`);
    }, 60_000);
  }

  it('lossScaleInput: gradients of loss_sum · loss_scale, loss outputs unscaled', async () => {
    const p = prepare(work, model('qwen2'));
    const batch = makeBatch(p.spec.vocabSize, 6);
    const feeds = { input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels), ...adapterFeeds(p.spec, LORA, randomAdapter(p.spec, LORA, 2)) };
    const plain = buildTrainGraph(p.spec, p.weights, { lora: LORA });
    const scaled = buildTrainGraph(p.spec, p.weights, { lora: LORA, lossScaleInput: true });
    expect(plain.lossScale).toBeNull();
    expect(scaled.lossScale).toBe('loss_scale');
    const a = await runBuilt(plain, p.graphDir, feeds, 'plain.onnx');
    const b = await runBuilt(scaled, p.graphDir, { ...feeds, loss_scale: { data: Float32Array.of(1024), dims: [] } }, 'scaled.onnx');
    expect(b.loss_sum.data[0]).toBe(a.loss_sum.data[0]);
    for (const g of plain.outputs.grads) {
      const [x, y] = [a[g].data as Float32Array, b[g].data as Float32Array];
      for (let i = 0; i < x.length; i++) expect(y[i]).toBe(Math.fround(x[i] * 1024)); // a power of two scales exactly
    }
  });
});
