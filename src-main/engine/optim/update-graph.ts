// The update graph: one run per optimizer step turns params, summed gradients and states into new params and states.
//
// Inputs (float32): lr [], step [] (1-based), token_count [], loss_scale [] (optional), then per param
// `<name>` [shape], `grad.<name>` (gradient of the SUM of token losses, summed over micro-batches),
// `m.<name>` / `v.<name>` (states). Outputs: `new.<name>`, `new_m.<name>`, `new_v.<name>`, grad_norm [],
// found_inf []. Order inside: unscale → mean over tokens → anchor penalty gradient → global norm → clip → optimizer rule.
// With `anchor` (anchor.ts), each anchored param also takes `anchor.<name>` (w0) and, with EWC, `fisher.<name>`,
// after its states; without one the graph is exactly the plain one.

import { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { ADAMW_DEFAULTS, adamwGroupScalars, adamwUpdate } from './adamw';
import { addAnchorGradient, anchorInputs, anchorTerms, type AnchorInputs } from './anchor';
import { clipByGlobalNorm, globalNorm, isFiniteNorm, normaliseGrads } from './grad-norm';
import { sgdUpdate } from './sgd';
import {
  UPDATE_INPUTS, UPDATE_OUTPUTS, anchorName, fisherName, gradName, newParamName, newStateName, stateName,
  type OptimizerConfig, type ParamGroup, type ParamSpec, type StateKind, type UpdateGraphIo,
} from './types';

export interface UpdateGraph extends UpdateGraphIo {
  readonly graph: Graph;
  /** Params that take `anchor.<name>` (and `fisher.<name>` with EWC) inputs; empty without an anchor. */
  readonly anchored: readonly string[];
}

/** The state tensors each parameter carries under `cfg`. */
export function stateKinds(cfg: OptimizerConfig): StateKind[] {
  if (cfg.optimizer === 'adamw') return ['m', 'v'];
  return (cfg.momentum ?? 0) !== 0 ? ['m'] : [];
}

function resolveGroups(params: readonly ParamSpec[], cfg: OptimizerConfig): Required<ParamGroup>[] {
  const groups = (cfg.groups ?? [{}]).map((gr) => ({
    lrMultiplier: gr.lrMultiplier ?? 1,
    weightDecay: gr.weightDecay ?? cfg.weightDecay ?? 0,
  }));
  for (const p of params) {
    const i = p.group ?? 0;
    if (!Number.isInteger(i) || i < 0 || i >= groups.length) throw new Error(`param '${p.name}': no group ${i} (${groups.length} groups)`);
  }
  return groups;
}

function validate(params: readonly ParamSpec[], cfg: OptimizerConfig): void {
  if (params.length === 0) throw new Error('buildUpdateGraph: no parameters');
  const reserved = new Set<string>([...Object.values(UPDATE_INPUTS), ...Object.values(UPDATE_OUTPUTS)]);
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) throw new Error(`duplicate param '${p.name}'`);
    if (reserved.has(p.name)) throw new Error(`param name '${p.name}' is reserved by the update graph`);
    if (!p.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`param '${p.name}': static shape needed, got [${p.shape}]`);
    seen.add(p.name);
  }
  if (cfg.optimizer === 'adamw') {
    const [b1, b2] = cfg.betas ?? ADAMW_DEFAULTS.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new Error(`AdamW: betas must lie in [0, 1), got [${b1}, ${b2}]`);
  } else if (cfg.nesterov && ((cfg.momentum ?? 0) <= 0 || (cfg.dampening ?? 0) !== 0)) {
    throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
  }
  if (anchorTerms(cfg)) {
    if (!params.some((p) => p.anchored)) throw new Error('anchor: no param is anchored (ParamSpec.anchored)');
    for (const p of params) {
      if (p.anchored && (seen.has(anchorName(p.name)) || seen.has(fisherName(p.name)))) throw new Error(`param '${p.name}': its anchor input names clash with another param`);
    }
  }
}

/** Builds the per-optimizer-step update graph for `params` (all float32) under `cfg`. */
export function buildUpdateGraph(params: readonly ParamSpec[], cfg: OptimizerConfig): UpdateGraph {
  validate(params, cfg);
  const groups = resolveGroups(params, cfg);
  const kinds = stateKinds(cfg);
  const g = new Graph(`update_${cfg.optimizer}`);

  const lr = g.input(UPDATE_INPUTS.lr, 'float32', []);
  const step = g.input(UPDATE_INPUTS.step, 'float32', []);
  const tokenCount = g.input(UPDATE_INPUTS.tokenCount, 'float32', []);
  const lossScale = cfg.lossScale ? g.input(UPDATE_INPUTS.lossScale, 'float32', []) : undefined;

  const ps: Value[] = [];
  const rawGrads: Value[] = [];
  const states: Partial<Record<StateKind, Value>>[] = [];
  const terms = anchorTerms(cfg);
  const anchors: (AnchorInputs | null)[] = [];
  for (const p of params) {
    ps.push(g.input(p.name, 'float32', p.shape));
    rawGrads.push(g.input(gradName(p.name), 'float32', p.shape));
    states.push(Object.fromEntries(kinds.map((k) => [k, g.input(stateName(k, p.name), 'float32', p.shape)])));
    anchors.push(terms && p.anchored ? anchorInputs(g, p, terms) : null);
  }

  let grads = normaliseGrads(g, rawGrads, tokenCount, lossScale);
  // The penalty is part of the loss: its gradient joins before the norm and clipping (see anchor.ts).
  if (terms) grads = grads.map((x, i) => (anchors[i] ? addAnchorGradient(g, x, ps[i], anchors[i] as AnchorInputs, terms) : x));
  const norm = globalNorm(g, grads);
  const finite = isFiniteNorm(g, norm);
  if ((cfg.maxGradNorm ?? 0) > 0) grads = clipByGlobalNorm(g, grads, norm, cfg.maxGradNorm as number);

  // Group lr in float64 (torch's group lrs are Python floats).
  const lr64 = g.cast(lr, 'float64');
  const step64 = g.cast(step, 'float64');
  const groupLr = groups.map((gr) => (gr.lrMultiplier === 1 ? lr64 : g.mul(lr64, g.scalar(gr.lrMultiplier, 'float64'))));
  const keep = (next: Value, old: Value) => (cfg.skipNonFinite ? g.where(finite, next, old) : next);

  const newParams: Value[] = [];
  const newStates: Partial<Record<StateKind, Value>>[] = [];
  if (cfg.optimizer === 'adamw') {
    const betas = cfg.betas ?? ADAMW_DEFAULTS.betas;
    const eps = cfg.eps ?? ADAMW_DEFAULTS.eps;
    const scalars = groups.map((gr, i) => adamwGroupScalars(g, groupLr[i], step64, gr.weightDecay, betas));
    params.forEach((p, i) => {
      const r = adamwUpdate(g, ps[i], grads[i], states[i].m as Value, states[i].v as Value, scalars[p.group ?? 0], betas, eps);
      newParams.push(r.param);
      newStates.push({ m: r.m, v: r.v });
    });
  } else {
    const opts = { momentum: cfg.momentum ?? 0, dampening: cfg.dampening ?? 0, nesterov: !!cfg.nesterov };
    const negLr = groupLr.map((x) => g.cast(g.neg(x), 'float32'));
    const firstStep = g.less(step, g.scalar(1.5, 'float32'));
    params.forEach((p, i) => {
      const gi = p.group ?? 0;
      const r = sgdUpdate(g, ps[i], grads[i], states[i].m ?? null, negLr[gi], firstStep, groups[gi].weightDecay, opts);
      newParams.push(r.param);
      newStates.push(r.m ? { m: r.m } : {});
    });
  }

  params.forEach((p, i) => {
    g.output(keep(newParams[i], ps[i]), newParamName(p.name));
    for (const k of kinds) g.output(keep(newStates[i][k] as Value, states[i][k] as Value), newStateName(k, p.name));
  });
  g.output(norm, UPDATE_OUTPUTS.gradNorm);
  const zero = g.scalar(0, 'float32');
  g.output(g.where(finite, zero, g.scalar(1, 'float32')), UPDATE_OUTPUTS.foundInf);

  return {
    graph: g,
    inputNames: g.inputs.map((v) => v.name),
    outputNames: g.outputs.map((v) => v.name),
    stateNames: kinds,
    anchored: params.filter((_, i) => anchors[i]).map((p) => p.name),
  };
}
