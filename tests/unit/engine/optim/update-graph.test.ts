// The update graph's contract without torch: I/O names, exact float32 arithmetic of simple steps, groups,
// token-count mean, loss scale, non-finite handling, validation, and the ONNX checker.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeModel } from '../../../../src-main/engine/onnx';
import {
  buildUpdateGraph, initOptimizerState, scalarFeeds, type OptimizerConfig, type ParamSpec, type ScalarInputs,
} from '../../../../src-main/engine/optim';
import { EngineSession, type Feed, type HostTensor } from '../../../../src-main/engine/runtime';

const PARAMS: ParamSpec[] = [
  { name: 'w', shape: [2, 3] },
  { name: 'lora_B', shape: [3], group: 1 },
];
const W = [0.5, -1.25, 2, 0.75, -0.1, 3.5];
const B = [0.2, -0.4, 0.9];

/** One run of the update graph for `cfg` with given grads and scalars. */
async function step(cfg: OptimizerConfig, grads: { w: number[]; lora_B: number[] }, s: ScalarInputs): Promise<Record<string, HostTensor>> {
  const { graph } = buildUpdateGraph(PARAMS, cfg);
  const session = await EngineSession.create(serializeModel(graph), { intraOpThreads: 1 });
  try {
    const feeds: Record<string, Feed> = {
      ...initOptimizerState(PARAMS, cfg),
      ...scalarFeeds(s),
      w: { data: Float32Array.from(W), dims: [2, 3] },
      lora_B: { data: Float32Array.from(B), dims: [3] },
      'grad.w': { data: Float32Array.from(grads.w), dims: [2, 3] },
      'grad.lora_B': { data: Float32Array.from(grads.lora_B), dims: [3] },
    };
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const f32 = (t: HostTensor) => Array.from(t.data as Float32Array);
const GW = [3, -6, 9, 0.5, 12, -1.5];
const GB = [-2, 4, 1];
const GROUPS = [{ lrMultiplier: 1 }, { lrMultiplier: 4 }];

describe('buildUpdateGraph', () => {
  it('names its inputs and outputs per the contract', () => {
    const a = buildUpdateGraph(PARAMS, { optimizer: 'adamw', groups: GROUPS });
    expect(a.stateNames).toEqual(['m', 'v']);
    expect(a.inputNames).toEqual(['lr', 'step', 'token_count', 'w', 'grad.w', 'm.w', 'v.w', 'lora_B', 'grad.lora_B', 'm.lora_B', 'v.lora_B']);
    expect(a.outputNames).toEqual(['new.w', 'new_m.w', 'new_v.w', 'new.lora_B', 'new_m.lora_B', 'new_v.lora_B', 'grad_norm', 'found_inf']);
    const s = buildUpdateGraph(PARAMS, { optimizer: 'sgd', lossScale: true, groups: GROUPS });
    expect(s.stateNames).toEqual([]);
    expect(s.inputNames).toEqual(['lr', 'step', 'token_count', 'loss_scale', 'w', 'grad.w', 'lora_B', 'grad.lora_B']);
    expect(buildUpdateGraph(PARAMS, { optimizer: 'sgd', momentum: 0.9, groups: GROUPS }).stateNames).toEqual(['m']);
    const st = initOptimizerState(PARAMS, { optimizer: 'adamw' });
    expect(Object.keys(st)).toEqual(['m.w', 'm.lora_B', 'v.w', 'v.lora_B']);
    expect(st['v.w']).toEqual({ data: new Float32Array(6), dims: [2, 3] });
  });

  it('applies the top-level weight decay to groups without their own (SGD: g + wd·p)', async () => {
    const cfg: OptimizerConfig = { optimizer: 'sgd', weightDecay: 0.5, groups: [{}, { weightDecay: 0 }] };
    const out = await step(cfg, { w: GW, lora_B: GB }, { lr: 0.25, step: 1, tokenCount: 1 });
    f32(out['new.w']).forEach((x, i) => expect(x).toBeCloseTo(W[i] - 0.25 * (GW[i] + 0.5 * W[i]), 5));
    f32(out['new.lora_B']).forEach((x, i) => expect(x).toBeCloseTo(B[i] - 0.25 * GB[i], 5));
  });

  it('SGD: p + float32(−lr·multiplier) · g / max(tokens, 1), float32-exact, per group', async () => {
    const lr = Math.fround(0.01);
    const out = await step({ optimizer: 'sgd', groups: GROUPS }, { w: GW, lora_B: GB }, { lr, step: 1, tokenCount: 3 });
    const expectSgd = (p: number[], g: number[], mult: number) => {
      const negLr = Math.fround(-(lr * mult));
      return p.map((x, i) => Math.fround(Math.fround(x) + Math.fround(Math.fround(g[i] / 3) * negLr)));
    };
    expect(f32(out['new.w'])).toEqual(expectSgd(W, GW, 1));
    expect(f32(out['new.lora_B'])).toEqual(expectSgd(B, GB, 4));
    const norm = Math.sqrt([...GW, ...GB].reduce((a, g) => a + (g / 3) ** 2, 0));
    expect(out.grad_norm.data[0]).toBeCloseTo(norm, 5);
    expect(out.found_inf.data[0]).toBe(0);
  });

  it('AdamW first step moves each param by ≈ lr·multiplier against the gradient sign (bias-corrected)', async () => {
    const lr = 1e-3;
    const out = await step({ optimizer: 'adamw', groups: GROUPS }, { w: GW, lora_B: GB }, { lr, step: 1, tokenCount: 3 });
    f32(out['new.w']).forEach((x, i) => expect(x - W[i]).toBeCloseTo(-Math.sign(GW[i]) * lr, 6));
    f32(out['new.lora_B']).forEach((x, i) => expect(x - B[i]).toBeCloseTo(-Math.sign(GB[i]) * lr * 4, 6));
    f32(out['new_m.w']).forEach((m, i) => expect(m).toBeCloseTo(0.1 * (GW[i] / 3), 6));
    f32(out['new_v.w']).forEach((v, i) => expect(v).toBeCloseTo(0.001 * (GW[i] / 3) ** 2, 8));
  });

  it('treats token_count 0 as 1 and divides by it (the mean over counted tokens)', async () => {
    const cfg: OptimizerConfig = { optimizer: 'adamw', maxGradNorm: 1, groups: GROUPS };
    const s = { lr: 1e-3, step: 3 };
    const a = await step(cfg, { w: GW, lora_B: GB }, { ...s, tokenCount: 0 });
    const b = await step(cfg, { w: GW, lora_B: GB }, { ...s, tokenCount: 1 });
    const c = await step(cfg, { w: GW.map((g) => g * 8), lora_B: GB.map((g) => g * 8) }, { ...s, tokenCount: 8 });
    for (const k of ['new.w', 'new_m.lora_B', 'new_v.w', 'grad_norm']) {
      expect(f32(a[k])).toEqual(f32(b[k]));
      expect(f32(c[k])).toEqual(f32(b[k]));
    }
  });

  it('undoes a loss scale exactly before anything else', async () => {
    const cfg: OptimizerConfig = { optimizer: 'adamw', maxGradNorm: 1, groups: [{ weightDecay: 0.1 }, { lrMultiplier: 4 }] };
    const plain = await step(cfg, { w: GW, lora_B: GB }, { lr: 1e-3, step: 2, tokenCount: 5 });
    const scaled = await step({ ...cfg, lossScale: true }, { w: GW.map((g) => g * 1024), lora_B: GB.map((g) => g * 1024) }, { lr: 1e-3, step: 2, tokenCount: 5, lossScale: 1024 });
    for (const k of Object.keys(plain)) expect(f32(scaled[k]), k).toEqual(f32(plain[k]));
  });

  it('clips by the global norm: grad_norm is the norm before clipping, the update uses the clipped grads', async () => {
    const base = { optimizer: 'sgd' as const, groups: [{}, {}] };
    const s = { lr: 1, step: 1, tokenCount: 1 };
    const free = await step(base, { w: GW, lora_B: GB }, s);
    const clipped = await step({ ...base, maxGradNorm: 2 }, { w: GW, lora_B: GB }, s);
    const norm = free.grad_norm.data[0] as number;
    expect(clipped.grad_norm.data[0]).toBe(norm);
    const coef = 2 / (norm + 1e-6);
    f32(clipped['new.w']).forEach((x, i) => expect(x).toBeCloseTo(W[i] - coef * GW[i], 5));
    const loose = await step({ ...base, maxGradNorm: 1e6 }, { w: GW, lora_B: GB }, s);
    expect(f32(loose['new.w'])).toEqual(f32(free['new.w']));
  });

  it('flags a non-finite norm; skipNonFinite returns params and states unchanged', async () => {
    for (const bad of [NaN, Infinity]) {
      const grads = { w: GW.map((g, i) => (i === 2 ? bad : g)), lora_B: GB };
      const cfg: OptimizerConfig = { optimizer: 'adamw', maxGradNorm: 1, groups: GROUPS };
      const through = await step(cfg, grads, { lr: 1e-3, step: 1, tokenCount: 2 });
      expect(through.found_inf.data[0]).toBe(1);
      expect(Number.isFinite(through.grad_norm.data[0])).toBe(false);
      expect(f32(through['new.w']).some((x) => Number.isNaN(x))).toBe(true);
      const skipped = await step({ ...cfg, skipNonFinite: true }, grads, { lr: 1e-3, step: 1, tokenCount: 2 });
      expect(skipped.found_inf.data[0]).toBe(1);
      expect(f32(skipped['new.w'])).toEqual(Array.from(Float32Array.from(W)));
      expect(f32(skipped['new.lora_B'])).toEqual(Array.from(Float32Array.from(B)));
      expect(f32(skipped['new_v.w'])).toEqual(new Array(6).fill(0));
    }
    const ok = await step({ optimizer: 'adamw', skipNonFinite: true, groups: GROUPS }, { w: GW, lora_B: GB }, { lr: 1e-3, step: 1, tokenCount: 2 });
    expect(ok.found_inf.data[0]).toBe(0);
    expect(f32(ok['new.w'])).not.toEqual(Array.from(Float32Array.from(W)));
  });

  it('refuses bad parameter lists and settings', () => {
    const p = (name: string, shape: number[] = [2], group?: number): ParamSpec => ({ name, shape, group });
    const adamw: OptimizerConfig = { optimizer: 'adamw' };
    expect(() => buildUpdateGraph([], adamw)).toThrow(/no parameters/);
    expect(() => buildUpdateGraph([p('a'), p('a')], adamw)).toThrow(/duplicate/);
    expect(() => buildUpdateGraph([p('lr')], adamw)).toThrow(/reserved/);
    expect(() => buildUpdateGraph([p('a', [2], 1)], adamw)).toThrow(/no group 1/);
    expect(() => buildUpdateGraph([p('a', [2.5])], adamw)).toThrow(/static shape/);
    expect(() => buildUpdateGraph([p('a')], { optimizer: 'adamw', betas: [0.9, 1] })).toThrow(/betas/);
    expect(() => buildUpdateGraph([p('a')], { optimizer: 'sgd', nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(/Nesterov/);
    expect(() => scalarFeeds({ lr: 1, step: 0, tokenCount: 1 })).toThrow(/1-based/);
  });
});

const PY = '/usr/bin/python3';
const hasOnnx = spawnSync(PY, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasOnnx)('ONNX checker (skipped: /usr/bin/python3 has no onnx module)', () => {
  it('accepts AdamW and SGD update graphs with every option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'optim-checker-'));
    try {
      const configs: OptimizerConfig[] = [
        { optimizer: 'adamw', maxGradNorm: 1, lossScale: true, skipNonFinite: true, groups: [{ weightDecay: 0.1 }, { lrMultiplier: 16 }] },
        { optimizer: 'sgd', momentum: 0.9, nesterov: true, maxGradNorm: 1, groups: [{ weightDecay: 0.1 }, { lrMultiplier: 16 }] },
      ];
      const files = configs.map((c, i) => {
        const f = join(dir, `update-${i}.onnx`);
        writeFileSync(f, serializeModel(buildUpdateGraph(PARAMS, c).graph));
        return f;
      });
      const script = 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("OK")';
      const r = spawnSync(PY, ['-c', script, ...files], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
