// Autodiff as a whole: frozen weights, gradient accumulation, composites (MLP + cross-entropy, LoRA) vs finite differences.

import { describe, expect, it } from 'vitest';
import { addGradients } from '../../../src-main/engine/autodiff';
import { Graph, tensor } from '../../../src-main/engine/ir';
import { serializeModel } from '../../../src-main/engine/onnx';
import { EngineSession } from '../../../src-main/engine/runtime';
import { frozenMiddle, lora, mlp } from './composites';
import { checkGradients, FD_TOL } from './fd-check';

describe('autodiff', () => {
  it('2-layer MLP with softmax cross-entropy matches finite differences', async () => {
    const r = await checkGradients(mlp);
    expect(Object.keys(r.errors).sort()).toEqual(['b1', 'b2', 'w1', 'w2']);
    for (const e of Object.values(r.errors)) expect(e).toBeLessThanOrEqual(FD_TOL);
  });

  it('LoRA y = x Wᵀ + s·(x Aᵀ)Bᵀ with W frozen: grads for A and B only, matching finite differences', async () => {
    const r = await checkGradients(lora);
    expect(Object.keys(r.errors).sort()).toEqual(['A', 'B']);
    const names = await outputNames(r.model);
    expect(names).toContain('grad.A');
    expect(names).not.toContain('grad.W');
  });

  it('gradients flow through a frozen weight to trainable params upstream', async () => {
    const r = await checkGradients(frozenMiddle);
    expect(Object.keys(r.errors)).toEqual(['w1']);
    expect(r.scale.w1).toBeGreaterThan(1e-3);
    expect(await outputNames(r.model)).not.toContain('grad.w2');
  });

  it('sums gradients that meet (x used three times)', async () => {
    const r = await checkGradients((b) => {
      const x = b.param('x', [3]);
      return b.g.mul(b.g.add(x, b.g.exp(x)), x);
    });
    expect(r.errors.x).toBeLessThanOrEqual(FD_TOL);
  });

  it('refuses to differentiate with respect to a frozen weight', () => {
    const g = new Graph();
    const w = g.initializer('w', tensor('float32', [2], [1, 2]), { frozen: true });
    const loss = g.reduceSum(g.mul(w, w), [0]);
    expect(() => addGradients(g, loss, [w])).toThrow(/frozen/);
  });

  it('gives a zero gradient to a parameter the loss does not use', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const unused = g.input('u', 'float32', [3]);
    const loss = g.output(g.reduceSum(g.mul(x, x), [0]), 'loss');
    addGradients(g, loss, [x, unused]);
    const s = await EngineSession.create(serializeModel(g));
    const out = await s.run({ x: { data: Float32Array.from([1, 2]), dims: [2] }, u: { data: new Float32Array(3), dims: [3] } });
    await s.release();
    expect(Array.from(out['grad.x'].data as Float32Array)).toEqual([2, 4]);
    expect(Array.from(out['grad.u'].data as Float32Array)).toEqual([0, 0, 0]);
  });

  it('only adds nodes between the loss and the params (frozen branch gets no backward nodes)', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [4, 8]);
    const w = g.initializer('w', tensor('float32', [8, 8], new Array(64).fill(0.1)), { frozen: true });
    const a = g.input('a', 'float32', [8]);
    const side = g.matmul(x, w); // depends on no param: no gradient work for it
    const loss = g.reduceSum(g.add(side, a), [0, 1]);
    const before = g.nodes.length;
    addGradients(g, loss, [a]);
    const added = g.nodes.slice(before).map((n) => n.op.name);
    expect(added).not.toContain('MatMul');
    expect(added).not.toContain('Transpose');
  });
});

async function outputNames(model: Uint8Array): Promise<readonly string[]> {
  const s = await EngineSession.create(model);
  const names = s.outputNames;
  await s.release();
  return names;
}
