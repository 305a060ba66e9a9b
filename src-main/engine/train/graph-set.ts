// The sessions of a run: the train graph (gradients), the update graph (optimizer step) and the eval graph, compiled
// from the method's plan and opened on the run's provider. PLoRA opens a new set at every stage.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainJobParams } from '../../common/train';
import { buildEvalGraph, buildTrainGraph, type BuiltGraph, type WeightRef } from '../nn';
import { serializeModel } from '../onnx/serialize';
import { buildUpdateGraph, type OptimizerConfig } from '../optim';
import { EngineSession } from '../runtime';
import type { TrainMethodPlan } from './methods/types';

export interface GraphSet {
  built: BuiltGraph;
  train: EngineSession;
  /**
   * The train graph's outputs less its exposed activations, fetched on steps without telemetry; undefined (all
   * outputs) when the graph exposes none.
   */
  trainFetches: string[] | undefined;
  update: EngineSession;
  eval: EngineSession | null;
  release(): Promise<void>;
}

export interface GraphSetup {
  params: TrainJobParams;
  plan: TrainMethodPlan;
  graphDir: string;
  optCfg: OptimizerConfig;
  precision: TrainJobParams['precision'];
  lossScaled: boolean;
  withEval: boolean;
}

async function openSession(dir: string, file: string, bytes: Uint8Array, p: Pick<TrainJobParams, 'threads' | 'provider'>): Promise<EngineSession> {
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return EngineSession.create(path, { intraOpThreads: p.threads, ...(p.provider ? { providers: [p.provider] } : {}) });
}

/** The graph files' suffix for a stage: none for the first (and for methods without stages). */
export function stageSuffix(plan: TrainMethodPlan, stage: number): string {
  return plan.stages && stage > 0 ? `-stage${stage}` : '';
}

export async function openGraphs(s: GraphSetup, weights: WeightRef[], suffix: string): Promise<GraphSet> {
  const { params, plan, graphDir, optCfg, precision, lossScaled } = s;
  // Mixed precision: emulated autocast in the train and eval graphs; loss scaling multiplies the differentiated loss by
  // the scaler's S (a graph input), the update graph divides the gradients by S first and skips non-finite steps.
  // Range telemetry also charts the activations: the train graph outputs them (act.*), fetched on telemetry steps only.
  // A GPU provider flushes fp32 subnormals, so its graphs round the subnormal range by an addition (emulate.ts).
  const onDevice = { ...(params.nativePrecision ? { nativeLowPrecision: true } : {}), ...(params.provider && params.provider !== 'cpu' ? { flushSafeRounding: true } : {}) };
  const built = buildTrainGraph(params.spec, weights, {
    ...plan.trainGraph, name: 'train', precision, lossScaleInput: lossScaled, ...onDevice, ...(params.telemetryEvery ? { exposeActivations: true } : {}),
  });
  const acts = new Set(built.outputs.activations);
  const trainFetches = acts.size ? built.graph.outputs.map((v) => v.name).filter((n) => !acts.has(n)) : undefined;
  const update = buildUpdateGraph(plan.optimizerParams(built.params), lossScaled ? { ...optCfg, lossScale: true, skipNonFinite: true } : optCfg);
  const train = await openSession(graphDir, `train${suffix}.onnx`, built.serialize(), params);
  const upd = await openSession(graphDir, `update${suffix}.onnx`, serializeModel(update.graph), params);
  const evalSession = s.withEval
    ? await openSession(graphDir, `eval${suffix}.onnx`, buildEvalGraph(params.spec, weights, { ...plan.evalGraph, name: 'eval', precision, ...onDevice }).serialize(), params)
    : null;
  return { built, train, trainFetches, update: upd, eval: evalSession, release: async () => { await Promise.all([train.release(), upd.release(), evalSession?.release()]); } };
}
