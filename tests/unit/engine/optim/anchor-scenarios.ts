// Seeded L2-SP / EWC scenarios shared by the ORT side (anchor.test.ts) and torch (tests/reference/optim/anchor_reference.py),
// and the runner that drives the anchored update graph over them.
//
// Each scenario: three anchored params (pre-trained w0, a non-negative Fisher, starting values a little off w0) and
// one unanchored LoRA-like param in a second group, 4 steps whose gradient scale swings so clipping acts on some
// steps only. The penalty gradients are of the same order as the loss gradients, so a wrong sign, a missing λ or
// the term joining after clipping would be far over the bound.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeModel } from '../../../../src-main/engine/onnx';
import { anchorFeeds } from '../../../../src-main/engine/optim/anchor';
import {
  UPDATE_OUTPUTS, buildUpdateGraph, gradName, initOptimizerState, newParamName, newStateName, scalarFeeds, stateName,
  type OptimizerConfig, type ParamSpec, type StateTensor,
} from '../../../../src-main/engine/optim';
import { EngineSession, type Feed } from '../../../../src-main/engine/runtime';
import type { ReferenceSpec } from '../../../reference/optim/torch-reference';
import type { ScenarioStep, TorchResult } from '../../../reference/optim/scenarios';
import { rng } from '../fd-check';

export interface AnchorParam extends ParamSpec {
  readonly init: number[];
  readonly w0?: number[];
  readonly fisher?: number[];
}

export interface AnchorScenario {
  readonly name: string;
  readonly config: OptimizerConfig & { anchor: NonNullable<OptimizerConfig['anchor']> };
  readonly params: readonly AnchorParam[];
  readonly steps: readonly ScenarioStep[];
}

const HERE = dirname(fileURLToPath(import.meta.url));

export const ANCHOR_REF: ReferenceSpec = {
  script: join(HERE, '../../../reference/optim/anchor_reference.py'),
  golden: join(HERE, 'anchor-golden.json'),
  key: 'scenarios',
};

const SHAPES = [
  { name: 'model.layers.0.mlp.up_proj.weight', shape: [4, 6], group: 0, anchored: true },
  { name: 'model.norm.weight', shape: [6], group: 0, anchored: true },
  { name: 'model.embed_tokens.weight', shape: [5, 3], group: 0, anchored: true },
  { name: 'lora_B', shape: [6, 2], group: 1, anchored: false },
];
const GRAD_SCALES = [1, 0.05, 4, 0.3];
const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function scenario(name: string, config: AnchorScenario['config'], seed: number): AnchorScenario {
  const rand = rng(seed);
  const gauss = (n: number, std: number) => Array.from({ length: n }, () => {
    const u = Math.max(rand(), 1e-12);
    return Math.fround(std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand()));
  });
  const params: AnchorParam[] = SHAPES.map((s) => {
    const n = numel(s.shape);
    const w0 = gauss(n, 0.5);
    const init = w0.map((x, i) => Math.fround(x + gauss(1, 0.3)[0] * (i % 5 === 0 ? 0 : 1))); // some elements still at w0
    if (!s.anchored) return { ...s, init };
    const fisher = config.anchor.ewc !== undefined ? Array.from({ length: n }, () => Math.fround(rand() * rand() * 2)) : undefined;
    return { ...s, init, w0, ...(fisher ? { fisher } : {}) };
  });
  const steps: ScenarioStep[] = GRAD_SCALES.map((scale, k) => {
    const tokenCount = 3 + Math.floor(rand() * 20);
    const grads = Object.fromEntries(params.map((p) => [p.name, gauss(p.init.length, scale * tokenCount * 0.2)]));
    return { lr: Math.fround(config.optimizer === 'adamw' ? 1e-2 : 0.1), step: k + 1, tokenCount, grads };
  });
  return { name, config, params, steps };
}

const GROUPS = [{ lrMultiplier: 1 }, { lrMultiplier: 4, weightDecay: 0 }];

export function anchorScenarios(): AnchorScenario[] {
  return [
    scenario('sgd-momentum-l2sp', { optimizer: 'sgd', momentum: 0.9, weightDecay: 0.01, maxGradNorm: 1, groups: GROUPS, anchor: { l2sp: 0.5 } }, 21),
    scenario('sgd-ewc', { optimizer: 'sgd', maxGradNorm: 1, groups: GROUPS, anchor: { ewc: 0.5 } }, 22),
    scenario('adamw-l2sp-and-ewc', { optimizer: 'adamw', weightDecay: 0.1, maxGradNorm: 1.5, groups: GROUPS, anchor: { l2sp: 0.3, ewc: 0.5 } }, 23),
    scenario('adamw-ewc-clip', { optimizer: 'adamw', maxGradNorm: 1.5, groups: GROUPS, anchor: { ewc: 1 } }, 24),
  ];
}

const toMap = (params: readonly AnchorParam[], key: 'w0' | 'fisher') =>
  new Map(params.flatMap((p) => (p[key] ? [[p.name, Float32Array.from(p[key] as number[])] as const] : [])));

/** Runs a scenario's steps through the update graph built for `config` (the scenario's own by default). */
export async function runAnchorScenario(sc: AnchorScenario, config: OptimizerConfig = sc.config): Promise<TorchResult> {
  const { graph, stateNames } = buildUpdateGraph(sc.params, config);
  const session = await EngineSession.create(serializeModel(graph), { intraOpThreads: 1 });
  const params: Record<string, StateTensor> = {};
  for (const p of sc.params) params[p.name] = { data: Float32Array.from(p.init), dims: [...p.shape] };
  let states: Record<string, StateTensor> = initOptimizerState(sc.params, config);
  const anchors = config.anchor ? anchorFeeds(sc.params, toMap(sc.params, 'w0'), config.anchor.ewc !== undefined ? toMap(sc.params, 'fisher') : undefined) : {};
  const out: TorchResult = { name: sc.name, params: [], gradNorm: [], states: {} };
  try {
    for (const st of sc.steps) {
      const feeds: Record<string, Feed> = { ...params, ...states, ...anchors, ...scalarFeeds(st) };
      for (const p of sc.params) feeds[gradName(p.name)] = { data: Float32Array.from(st.grads[p.name]), dims: [...p.shape] };
      const res = await session.run(feeds);
      const next: Record<string, StateTensor> = {};
      for (const p of sc.params) {
        params[p.name] = { data: res[newParamName(p.name)].data as Float32Array, dims: [...p.shape] };
        for (const k of stateNames) next[stateName(k, p.name)] = { data: res[newStateName(k, p.name)].data as Float32Array, dims: [...p.shape] };
      }
      states = next;
      out.params.push(Object.fromEntries(sc.params.map((p) => [p.name, Array.from(params[p.name].data)])));
      out.gradNorm.push(res[UPDATE_OUTPUTS.gradNorm].data[0] as number);
    }
  } finally {
    await session.release();
  }
  for (const [k, v] of Object.entries(states)) out.states[k] = Array.from(v.data);
  return out;
}
