// Runs an optimizer scenario through the ONNX update graph in onnxruntime-node, feeding each step's outputs back in.

import { serializeModel } from '../../../../src-main/engine/onnx';
import {
  UPDATE_OUTPUTS, buildUpdateGraph, gradName, initOptimizerState, newParamName, newStateName, scalarFeeds, stateName,
  type StateTensor,
} from '../../../../src-main/engine/optim';
import { EngineSession, type Feed } from '../../../../src-main/engine/runtime';
import type { Scenario, TorchResult } from '../../../reference/optim/scenarios';

/** Same layout as a TorchResult, plus found_inf per step. */
export interface OrtResult extends TorchResult {
  readonly foundInf: number[];
}

export async function runScenario(sc: Scenario): Promise<OrtResult> {
  const { graph, stateNames } = buildUpdateGraph(sc.params, sc.config);
  const session = await EngineSession.create(serializeModel(graph), { intraOpThreads: 1 });
  const params: Record<string, StateTensor> = {};
  for (const p of sc.params) params[p.name] = { data: Float32Array.from(p.init), dims: [...p.shape] };
  let states: Record<string, StateTensor> = initOptimizerState(sc.params, sc.config);
  const out: OrtResult = { name: sc.name, params: [], gradNorm: [], states: {}, foundInf: [] };
  try {
    for (const st of sc.steps) {
      const feeds: Record<string, Feed> = { ...params, ...states, ...scalarFeeds(st) };
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
      out.foundInf.push(res[UPDATE_OUTPUTS.foundInf].data[0] as number);
    }
  } finally {
    await session.release();
  }
  for (const [k, v] of Object.entries(states)) out.states[k] = Array.from(v.data);
  return out;
}

/** max_i |a_i − b_i| / max_i |b_i| (relative to the tensor's largest magnitude; absolute below 1e-30). */
export function tensorError(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / Math.max(scale, 1e-30);
}

/** Worst elementwise |a − b| / |b| (for the report; elements with |b| < floor use floor). */
export function elementError(a: readonly number[], b: readonly number[], floor = 1e-3): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}
