// L2-SP / EWC in the update graph against torch (penalty added to the loss before backward), λ = 0 against the
// plain update, the input names, and a graph byte-identical to the plain one without an anchor.
//
// Bound as torch-parity.test.ts: per tensor and step max|ours − torch| / max|torch| ≤ 1e-6, grad_norm within 1e-6
// relative. The golden torch output (digest-checked) is compared always, torch replayed live when present.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { anchorFeeds } from '../../../../src-main/engine/optim/anchor';
import { buildUpdateGraph, type OptimizerConfig, type ParamSpec } from '../../../../src-main/engine/optim';
import type { TorchResult } from '../../../reference/optim/scenarios';
import { onnxCheck } from '../../../reference/onnx-checker';
import { pythonHas } from '../../../reference/python-modules';
import { goldenReference, hasTorch, runReference, type PyReference } from '../../../reference/optim/torch-reference';
import { ANCHOR_REF, anchorScenarios, runAnchorScenario, type AnchorScenario } from './anchor-scenarios';
import { tensorError } from './run-scenario';

const TOL = 1e-6;
const list = anchorScenarios();
const ours = new Map<string, TorchResult>();
const golden = goldenReference<TorchResult>(ANCHOR_REF, list);
const torchHere = hasTorch();
let live: PyReference<TorchResult> | null = null;

beforeAll(async () => {
  for (const sc of list) ours.set(sc.name, await runAnchorScenario(sc));
  if (torchHere) live = runReference<TorchResult>(ANCHOR_REF, list);
});

function worstError(sc: AnchorScenario, o: TorchResult, t: TorchResult): number {
  let worst = 0;
  expect(o.params).toHaveLength(sc.steps.length);
  sc.steps.forEach((_, k) => {
    for (const p of sc.params) worst = Math.max(worst, tensorError(o.params[k][p.name], t.params[k][p.name]));
    worst = Math.max(worst, Math.abs(o.gradNorm[k] - t.gradNorm[k]) / t.gradNorm[k]);
  });
  expect(Object.keys(o.states).sort()).toEqual(Object.keys(t.states).sort());
  for (const k of Object.keys(t.states)) worst = Math.max(worst, tensorError(o.states[k], t.states[k]));
  return worst;
}

describe('anchored update graph vs torch (penalty in the loss before backward)', () => {
  it.each(list.map((sc) => [sc.name, sc] as const))('%s: golden torch output', (_name, sc) => {
    const t = golden.results.find((r) => r.name === sc.name) as TorchResult;
    expect(worstError(sc, ours.get(sc.name) as TorchResult, t)).toBeLessThan(TOL);
  });

  it.skipIf(!torchHere)('matches torch replayed live (needs torch at /usr/bin/python3)', () => {
    const ref = live as PyReference<TorchResult>;
    const errs = list.map((sc, i) => worstError(sc, ours.get(sc.name) as TorchResult, ref.results[i]));
    console.log(`anchor parity vs torch ${ref.torch}: ${JSON.stringify(Object.fromEntries(list.map((sc, i) => [sc.name, errs[i]])))}`);
    expect(Math.max(...errs)).toBeLessThan(TOL);
  });

  it('the scenarios test what they claim: clipping on some steps only, and the penalty moves the result', async () => {
    for (const sc of list) {
      const o = ours.get(sc.name) as TorchResult;
      const max = sc.config.maxGradNorm as number;
      const clipped = o.gradNorm.filter((n) => n > max).length;
      expect(clipped, sc.name).toBeGreaterThan(0);
      expect(clipped, sc.name).toBeLessThan(sc.steps.length);
      const { anchor: _anchor, ...plainCfg } = sc.config;
      const plain = await runAnchorScenario(sc, plainCfg);
      const anchored = sc.params.filter((p) => p.anchored);
      const moved = Math.max(...anchored.map((p) => tensorError(plain.params[0][p.name], o.params[0][p.name])));
      expect(moved, sc.name).toBeGreaterThan(1e-3);
    }
  });
});

describe('anchor term contract', () => {
  const sc = list[2]; // AdamW with L2-SP and EWC

  it('λ = 0 gives exactly the plain update (params, states, grad_norm), for SGD and AdamW', async () => {
    for (const [s, anchor] of [[list[0], { l2sp: 0 }], [list[2], { l2sp: 0, ewc: 0 }]] as const) {
      const { anchor: _anchor, ...plainCfg } = s.config;
      const plain = await runAnchorScenario(s, plainCfg);
      const zero = await runAnchorScenario(s, { ...plainCfg, anchor });
      expect(zero).toEqual(plain);
    }
  });

  it('adds anchor.<name> (and fisher.<name> with EWC) after the states of anchored params only', () => {
    const params: ParamSpec[] = [{ name: 'w', shape: [2], anchored: true }, { name: 'lora_B', shape: [2], group: 1 }];
    const groups = [{}, {}];
    const both = buildUpdateGraph(params, { optimizer: 'sgd', momentum: 0.9, groups, anchor: { l2sp: 0.1, ewc: 1 } });
    expect(both.inputNames).toEqual(['lr', 'step', 'token_count', 'w', 'grad.w', 'm.w', 'anchor.w', 'fisher.w', 'lora_B', 'grad.lora_B', 'm.lora_B']);
    expect(both.anchored).toEqual(['w']);
    const l2sp = buildUpdateGraph(params, { optimizer: 'adamw', groups, anchor: { l2sp: 0.1 } });
    expect(l2sp.inputNames.filter((n) => n.includes('.w'))).toEqual(['grad.w', 'm.w', 'v.w', 'anchor.w']);
    expect(l2sp.outputNames).toEqual(buildUpdateGraph(params, { optimizer: 'adamw', groups }).outputNames);
  });

  it('without an anchor the graph is byte-identical to the plain one, whatever the params say', () => {
    const cfg: OptimizerConfig = { ...sc.config, anchor: undefined };
    const flagged = serializeModel(buildUpdateGraph(sc.params, cfg).graph);
    const plain = serializeModel(buildUpdateGraph(sc.params.map(({ anchored: _a, ...p }) => p), cfg).graph);
    expect(Buffer.from(flagged).equals(Buffer.from(plain))).toBe(true);
    expect(buildUpdateGraph(sc.params, { ...cfg, anchor: {} }).anchored).toEqual([]);
  });

  it('refuses an anchor with nothing anchored, negative or non-finite strengths; feeds name what is missing', () => {
    const p: ParamSpec[] = [{ name: 'w', shape: [2] }];
    expect(() => buildUpdateGraph(p, { optimizer: 'sgd', anchor: { l2sp: 1 } })).toThrow(/no param is anchored/);
    const a: ParamSpec[] = [{ name: 'w', shape: [2], anchored: true }];
    expect(() => buildUpdateGraph(a, { optimizer: 'sgd', anchor: { ewc: -1 } })).toThrow(/anchor.ewc/);
    expect(() => buildUpdateGraph(a, { optimizer: 'sgd', anchor: { l2sp: NaN } })).toThrow(/anchor.l2sp/);
    expect(() => anchorFeeds(a, new Map())).toThrow(/no pre-trained value for param 'w'/);
    expect(() => anchorFeeds(a, new Map([['w', new Float32Array(3)]]))).toThrow(/3 values/);
    expect(() => anchorFeeds(a, new Map([['w', new Float32Array(2)]]), new Map())).toThrow(/no Fisher/);
    expect(Object.keys(anchorFeeds([...a, { name: 'b', shape: [1] }], new Map([['w', new Float32Array(2)]]), new Map([['w', new Float32Array(2)]])))).toEqual(['anchor.w', 'fisher.w']);
  });
});

describe.skipIf(!pythonHas('onnx'))('ONNX checker', () => {
  it('accepts anchored SGD and AdamW update graphs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anchor-checker-'));
    try {
      const files = list.map((sc, i) => {
        const f = join(dir, `anchor-${i}.onnx`);
        writeFileSync(f, serializeModel(buildUpdateGraph(sc.params, { ...sc.config, lossScale: true, skipNonFinite: true }).graph));
        return f;
      });
      expect(onnxCheck(files).every((line) => line.startsWith('OK'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
