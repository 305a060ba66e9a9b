// Host-side optimizer state: zero-initialised moments keyed by the update graph's input names, and the scalar feeds.

import { numel } from '../ir/shape';
import { UPDATE_INPUTS, stateName, type OptimizerConfig, type ParamSpec } from './types';
import { stateKinds } from './update-graph';

/** Structurally a runtime `Feed`: float32 data with its dims. */
export interface StateTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * Fresh optimizer state (torch's lazily created zeros, and SGD's momentum buffer, which the graph
 * replaces on step 1): one float32 zero tensor per (state, param), keyed `m.<name>`, `v.<name>`.
 */
export function initOptimizerState(params: readonly ParamSpec[], cfg: OptimizerConfig): Record<string, StateTensor> {
  const out: Record<string, StateTensor> = {};
  for (const k of stateKinds(cfg)) {
    for (const p of params) out[stateName(k, p.name)] = { data: new Float32Array(numel(p.shape)), dims: [...p.shape] };
  }
  return out;
}

export interface ScalarInputs {
  /** Base lr of this update (e.g. `lrForUpdate(step, schedule)`). */
  readonly lr: number;
  /** 1-based optimizer step. */
  readonly step: number;
  /** Counted tokens over the whole optimizer step. */
  readonly tokenCount: number;
  /** Only for graphs built with `lossScale: true`. */
  readonly lossScale?: number;
}

/** The rank-0 float32 feeds of the update graph. */
export function scalarFeeds(s: ScalarInputs): Record<string, StateTensor> {
  if (!Number.isInteger(s.step) || s.step < 1) throw new Error(`step must be a 1-based integer, got ${s.step}`);
  const f = (x: number): StateTensor => ({ data: Float32Array.of(x), dims: [] });
  const feeds: Record<string, StateTensor> = {
    [UPDATE_INPUTS.lr]: f(s.lr),
    [UPDATE_INPUTS.step]: f(s.step),
    [UPDATE_INPUTS.tokenCount]: f(s.tokenCount),
  };
  if (s.lossScale !== undefined) feeds[UPDATE_INPUTS.lossScale] = f(s.lossScale);
  return feeds;
}
