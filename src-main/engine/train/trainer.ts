// The training loop: micro-batches through the gradient graph, one update graph per optimizer step, metrics,
// evaluation, checkpoints, and a resume that continues the same trajectory.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FromEngine } from '../../common/engine-protocol';
import type { EvalMetricsRow, TrainJobParams, TrainMetricsRow } from '../../common/train';
import { appendJsonl, metricsPath, trimJsonlAfterStep } from '../jobs/run-folder';
import { evalsSinceBest, readEvalLosses } from './early-stopping';
import type { StopReason } from '../jobs/types';
import { buildEvalGraph, buildTrainGraph, type BuiltGraph, type WeightRef } from '../nn';
import { buildUpdateGraph, initOptimizerState, lrForUpdate, scalarFeeds, type OptimizerConfig, type ParamSpec } from '../optim';
import { serializeModel } from '../onnx/serialize';
import { GradScaler, type LossScaleConfig } from '../precision/grad-scaler';
import { amaxOutputOf, DelayedScaling, FP8_RECIPE_DEFAULTS, FP8_SCALE_PREFIX, type Fp8Recipe } from '../precision/delayed-scaling';
import { EngineSession, type Feed } from '../runtime';
import { BatchStream } from './batches';
import { loadLatestCheckpoint, saveCheckpoint, type TrainerState } from './checkpoint';
import { evaluateOnSession } from './evaluate';
import { readTokenizedExamples } from './examples';
import { methodPlan } from './methods';
import { loraOptimizerParams } from './methods/lora';
import type { StagePlan, TrainMethodPlan } from './methods/types';
import { StepAccumulator } from './step-accumulator';
import { ActivationTelemetry, optimizerGradients, telemetryPath, writeTelemetry } from './telemetry';
import { resolveWeightRefs } from './weights';

export interface TrainHooks {
  emit(msg: FromEngine): void;
  stopReason(): StopReason | null;
}

export interface TrainResult { stopped: boolean; steps: number; finalLoss: number | null; evalLoss: number | null; adapterDir: string | null }

function optimizerConfig(p: TrainJobParams, plan: TrainMethodPlan): OptimizerConfig {
  const common = { weightDecay: p.weightDecay, maxGradNorm: p.maxGradNorm, groups: plan.optimizerGroups, anchor: plan.optimizerAnchor };
  return p.optimizer === 'adamw' ? { optimizer: 'adamw', betas: p.betas, eps: p.eps, ...common } : { optimizer: 'sgd', momentum: p.momentum, ...common };
}

/** The trainable tensors in their optimizer groups: with LoRA+ every lora_B goes to group 1, the rest stay in group 0. */
export function optimizerParams(params: readonly ParamSpec[], method: TrainJobParams['method']): ParamSpec[] {
  return loraOptimizerParams(params as { name: string; shape: number[] }[], method === 'lora_plus');
}

/** --loss-scale: dynamic | none | a number; default dynamic for fp16 (GradScaler), none for bf16 and fp32. */
export function lossScaleConfig(p: Pick<TrainJobParams, 'precision' | 'lossScale'>): LossScaleConfig {
  const v = p.lossScale ?? (p.precision === 'fp16' ? 'dynamic' : 'none');
  return typeof v === 'number' ? { kind: 'static', scale: v } : { kind: v };
}

/** fp8's delayed-scaling recipe: the job's keys over the defaults. */
export function fp8Recipe(p: Pick<TrainJobParams, 'fp8'>): Fp8Recipe {
  return { ...FP8_RECIPE_DEFAULTS, ...p.fp8 };
}

/** Each step's amaxes, the max over its micro-batches (one history entry per optimizer step, delayed-scaling.ts). */
class StepAmax {
  readonly values = new Map<string, number>();
  constructor(private readonly scaleInputs: readonly string[]) {}
  add(out: Record<string, { data: unknown }>): void {
    for (const name of this.scaleInputs) {
      const t = out[amaxOutputOf(name)];
      if (!t) continue; // a gradient amax exists only where the backward reaches the layer
      const a = (t.data as Float32Array)[0];
      const prev = this.values.get(name);
      // A NaN stays NaN (non-finite keeps the scale), as TE's amax reduction propagates it.
      this.values.set(name, prev === undefined ? a : Number.isNaN(prev) || Number.isNaN(a) ? Number.NaN : Math.max(prev, a));
    }
  }
}

async function openSession(dir: string, file: string, bytes: Uint8Array, p: Pick<TrainJobParams, 'threads' | 'provider'>): Promise<EngineSession> {
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return EngineSession.create(path, { intraOpThreads: p.threads, ...(p.provider ? { providers: [p.provider] } : {}) });
}

/** The three sessions of a run; PLoRA opens a new set at every stage, over the weights with the last stage merged in. */
interface GraphSet {
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

interface GraphSetup {
  params: TrainJobParams;
  plan: TrainMethodPlan;
  graphDir: string;
  optCfg: OptimizerConfig;
  precision: TrainJobParams['precision'];
  lossScaled: boolean;
  withEval: boolean;
}

async function openGraphs(s: GraphSetup, weights: WeightRef[], suffix: string): Promise<GraphSet> {
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

export async function runTraining(params: TrainJobParams, runDir: string, hooks: TrainHooks): Promise<TrainResult> {
  const graphDir = join(runDir, 'graph');
  mkdirSync(graphDir, { recursive: true });
  // The data paths are left out: a run folder that was moved (with its data/ inside) still resumes.
  const { trainData: _train, evalData: _eval, ...settings } = params;
  const configHash = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  const log = (text: string) => hooks.emit({ type: 'log', level: 'info', text });

  const train = readTokenizedExamples(params.trainData);
  const evalSet = params.evalData ? readTokenizedExamples(params.evalData) : null;
  const baseWeights = resolveWeightRefs(params.modelDir, graphDir, log);
  const plan = methodPlan({ params, runDir, graphDir, weights: baseWeights, log });

  const precision = params.precision ?? 'fp32';
  const scaleCfg = lossScaleConfig(params);
  const scaler = scaleCfg.kind === 'none' ? null : new GradScaler(scaleCfg);
  const optCfg = optimizerConfig(params, plan);
  const setup: GraphSetup = { params, plan, graphDir, optCfg, precision, lossScaled: scaler !== null, withEval: evalSet !== null };

  // Start fresh, or continue exactly where the last checkpoint left off.
  const resumed = loadLatestCheckpoint(runDir, plan.codec);
  if (resumed && resumed.state.configHash !== configHash) {
    throw new Error(`${runDir} holds a checkpoint of a run with different settings; resume it with its own run.json, or choose a new --out.`);
  }
  let state: TrainerState = resumed?.state ?? { step: 0, updates: 0, position: { epoch: 0, index: 0 }, elapsedS: 0, tokensSeen: 0, configHash, ...(plan.stages ? { stage: 0 } : {}) };
  const stageSuffix = (stage: number) => (plan.stages && stage > 0 ? `-stage${stage}` : '');
  let graphs = await openGraphs(setup, plan.stages ? plan.stages.weightsFor(state.stage ?? 0) : baseWeights, stageSuffix(state.stage ?? 0));
  const shapes = new Map(graphs.built.params.map((p) => [p.name, p.shape]));
  log(`compiling: ${graphs.built.params.length} trainable tensors, ${train.length} training examples`);
  const how = params.nativePrecision && precision === 'fp16' ? `matmuls on ${params.provider ?? 'cpu'}'s float16 kernels, the rest emulated` : 'emulated';
  if (precision !== 'fp32' || scaler) log(`precision ${precision} (${how}), loss scale ${scaler ? `${scaleCfg.kind} from ${scaler.scale}` : 'none'}`);
  if (params.provider && params.provider !== 'cpu') log(`execution provider ${params.provider} (nodes it has no kernel for run on the CPU)`);
  if (precision === 'fp8') {
    const r = fp8Recipe(params);
    log(`fp8 delayed scaling: E4M3 forward, E5M2 gradients, margin ${r.margin}, amax history ${r.amaxHistoryLen} steps`);
  }
  for (const line of plan.describe()) log(line);

  let trained = resumed?.params ?? plan.initialParams(graphs.built.params);
  await plan.prepare?.(graphs.train, graphs.built, trained);
  const freshOptimizerState = () => new Map<string, Float32Array>(Object.entries(initOptimizerState(graphs.built.params, optCfg)).map(([k, v]) => [k, v.data]));
  let optState = freshOptimizerState();
  if (resumed) for (const [k, v] of resumed.optimizer) optState.set(k, v);
  if (scaler && state.scaler) {
    scaler.load(state.scaler);
    scaler.skippedSteps = state.scaler.skippedSteps;
  }
  const scalerState = () => (scaler ? { scaler: { ...scaler.state(), skippedSteps: scaler.skippedSteps } } : {});
  // fp8: the scale inputs of the train graph (the eval graph's are a subset); their state resumes from the checkpoint.
  const fp8ScaleInputs = () => graphs.built.graph.inputs.map((v) => v.name).filter((n) => n.startsWith(FP8_SCALE_PREFIX));
  const fp8 = precision === 'fp8' ? new DelayedScaling(fp8Recipe(params), fp8ScaleInputs(), state.fp8) : null;
  const fp8Feeds = (): Record<string, Feed> => fp8
    ? Object.fromEntries(fp8.scaleInputs.map((n) => [n, { data: Float32Array.of(fp8.scale(n)), dims: [] }])) : {};
  trimJsonlAfterStep(metricsPath(runDir), state.step);
  trimJsonlAfterStep(telemetryPath(runDir), state.step);
  if (resumed) log(`resuming from step ${state.step}${plan.stages ? ` (stage ${(state.stage ?? 0) + 1} of ${plan.stages.count})` : ''}`);

  const stream = new BatchStream(train, params.batchSize, params.seed, params.shuffle, params.padId, state.position);
  const schedule = { kind: params.schedule, lr: params.lr, warmupSteps: params.warmupSteps, totalSteps: params.steps };
  const feedsOf = (m: Map<string, Float32Array>): Record<string, Feed> =>
    Object.fromEntries([...m].map(([name, data]) => [name, { data, dims: shapes.get(name) ?? [data.length] }]));
  // LoRA dropout masks are a hash of (seed, global micro-batch counter): derived from the optimizer step, a resumed
  // run draws the same masks as an uninterrupted one.
  const dropoutFeeds = (micro: number): Record<string, Feed> => graphs.built.dropout ? {
    [graphs.built.dropout.seed]: { data: BigInt64Array.of(BigInt(params.seed)), dims: [] },
    [graphs.built.dropout.step]: { data: BigInt64Array.of(BigInt(micro)), dims: [] },
  } : {};
  const stateShape = (k: string) => shapes.get(k.slice(k.indexOf('.') + 1)) as number[];
  const optimizerTensors = () => new Map([...optState].map(([k, data]) => [k, { shape: stateShape(k), data }]));
  const checkpoint = () => saveCheckpoint(runDir, plan.codec, trained, shapes, optimizerTensors(), { ...state, ...scalerState(), position: stream.position });
  const updateFeeds = plan.updateFeeds?.() ?? {};

  // Early stopping on the eval loss: the run ends (normally, with its export) after `earlyStopping` evaluations in a
  // row without a new best. The history is re-read from metrics.jsonl, so a resumed run counts the same.
  const evalHistory = readEvalLosses(metricsPath(runDir));
  const runEval = async (): Promise<number | null> => {
    if (!graphs.eval || !evalSet) return null;
    const r = await evaluateOnSession(graphs.eval, evalSet, params.batchSize, params.padId, { ...feedsOf(trained), ...fp8Feeds() });
    const row: EvalMetricsRow = { step: state.step, eval_loss: r.loss, eval_tokens: r.tokens, eval_ppl: r.ppl, elapsed_s: state.elapsedS };
    appendJsonl(metricsPath(runDir), row);
    evalHistory.push(r.loss);
    hooks.emit({ type: 'metrics', step: state.step, values: { eval_loss: r.loss, eval_ppl: r.ppl } });
    return r.loss;
  };

  // PLoRA: at a stage boundary the finished stage is merged into the weights, A is re-drawn, B zeroed, the optimizer
  // state reset; the lr schedule runs over the whole run (one schedule, not one per stage).
  const nextStage = async () => {
    const stages = plan.stages as StagePlan;
    const done = state.stage ?? 0;
    stages.finishStage(done, trained);
    await graphs.release();
    graphs = await openGraphs(setup, stages.weightsFor(done + 1), stageSuffix(done + 1));
    trained = stages.paramsFor(done + 1);
    optState = freshOptimizerState();
    // A fresh optimizer counts its steps from 1 again (AdamW's bias correction), while the lr schedule goes on.
    state = { ...state, stage: done + 1, stageFirstUpdate: state.updates ?? state.step };
    log(`PLoRA: stage ${done + 1} merged into the run's weights; stage ${done + 2} of ${stages.count} starts at step ${state.step}`);
  };

  let lastLoss: number | null = null;
  let lastEval: number | null = null;
  try {
    while (state.step < params.steps) {
      const stop = hooks.stopReason();
      if (stop) {
        checkpoint();
        log(`stopped at step ${state.step} (${stop}); checkpoint saved`);
        return { stopped: true, steps: state.step, finalLoss: lastLoss, evalLoss: lastEval, adapterDir: null };
      }
      if (plan.stages && (state.stage ?? 0) + 1 < plan.stages.count && state.step >= plan.stages.startStep((state.stage ?? 0) + 1)) await nextStage();
      const started = performance.now();
      const acc = new StepAccumulator();
      const amax = fp8 ? new StepAmax(fp8.scaleInputs) : null;
      const telemetryStep = !!params.telemetryEvery && (state.step + 1) % params.telemetryEvery === 0;
      const activations = telemetryStep && graphs.built.outputs.activations.length ? new ActivationTelemetry(graphs.built.outputs.activations) : null;
      for (let micro = 0; micro < params.gradAccum; micro++) {
        const batch = stream.next();
        const out = await graphs.train.run({
          input_ids: { data: batch.inputIds, dims: batch.dims },
          labels: { data: batch.labels, dims: batch.dims },
          ...dropoutFeeds(state.step * params.gradAccum + micro),
          ...(scaler && graphs.built.lossScale ? { [graphs.built.lossScale]: { data: Float32Array.of(scaler.scale), dims: [] } } : {}),
          ...fp8Feeds(),
          ...feedsOf(trained),
        }, activations ? undefined : graphs.trainFetches);
        acc.add(out, graphs.built.outputs.grads, batch);
        amax?.add(out);
        activations?.add(out);
      }
      const step = state.step + 1;
      // The update graph's step and the schedule count applied updates only (see TrainerState.updates).
      const updates = state.updates ?? state.step;
      const lr = lrForUpdate(updates + 1, schedule);
      const updated = await graphs.update.run({
        ...scalarFeeds({ lr, step: updates + 1 - (state.stageFirstUpdate ?? 0), tokenCount: acc.countedTokens, ...(scaler ? { lossScale: scaler.scale } : {}) }),
        ...feedsOf(trained),
        ...acc.gradFeeds(shapes),
        ...updateFeeds,
        ...Object.fromEntries([...optState].map(([k, data]) => [k, { data, dims: stateShape(k) }])),
      });
      for (const name of trained.keys()) trained.set(name, updated[`new.${name}`].data as Float32Array);
      for (const key of optState.keys()) optState.set(key, updated[`new_${key}`].data as Float32Array);
      // The update graph kept params and states on overflow; the scaler backs off (dynamic) and counts the skip.
      const scaled = scaler ? scaler.update((updated.found_inf.data as Float32Array)[0] !== 0) : null;
      const fp8ScaleMin = fp8 ? fp8.minScale() : null; // the scales this step used
      if (fp8 && amax) fp8.record(amax.values);
      const seconds = (performance.now() - started) / 1000;
      lastLoss = acc.countedTokens ? acc.lossSum / acc.countedTokens : 0;
      state = {
        ...state, step, updates: scaled?.skipped ? updates : updates + 1, position: stream.position, elapsedS: state.elapsedS + seconds,
        tokensSeen: state.tokensSeen + acc.inputTokens, ...(fp8 ? { fp8: fp8.state() } : {}),
      };
      const row: TrainMetricsRow = {
        step, loss: lastLoss, lr, grad_norm: (updated.grad_norm.data as Float32Array)[0], tokens: acc.inputTokens, trained_tokens: acc.countedTokens,
        tokens_per_s: acc.inputTokens / seconds, elapsed_s: state.elapsedS,
        epoch: state.position.epoch + state.position.index / train.length,
        ...(plan.stages ? { stage: (state.stage ?? 0) + 1 } : {}),
        ...(scaler && scaled ? { loss_scale: scaled.usedScale, overflow: scaled.skipped ? 1 as const : 0 as const, skipped_steps: scaler.skippedSteps } : {}),
      };
      appendJsonl(metricsPath(runDir), row);
      // Range telemetry: the gradients the optimizer saw this step (unscaled, before clipping), the weights after it,
      // the activations of its micro-batches (with the weights before it, as the forward saw them).
      if (telemetryStep) {
        writeTelemetry(runDir, step, optimizerGradients(acc.rawGrads, acc.countedTokens, scaled ? scaled.usedScale : null), trained, activations);
      }
      hooks.emit({
        type: 'metrics', step,
        values: {
          loss: row.loss, lr: row.lr, grad_norm: row.grad_norm, tokens_per_s: row.tokens_per_s,
          // The live run panel shows the loss scale and skips as they happen, not only when metrics.jsonl is re-read.
          ...(row.loss_scale !== undefined ? { loss_scale: row.loss_scale, overflow: row.overflow ?? 0, skipped_steps: row.skipped_steps ?? 0 } : {}),
          // fp8: the smallest per-tensor scale the step used (live only; metrics.jsonl's rows keep their schema).
          ...(fp8ScaleMin !== null ? { fp8_scale_min: fp8ScaleMin } : {}),
        },
      });
      const rate = step / Math.max(state.elapsedS, 1e-9);
      hooks.emit({ type: 'progress', progress: step / params.steps, message: `step ${step}/${params.steps} · loss ${lastLoss.toFixed(4)}`, rate, etaSeconds: (params.steps - step) / rate });
      if (params.evalEvery > 0 && step % params.evalEvery === 0) {
        lastEval = await runEval();
        const patience = params.earlyStopping ?? 0;
        if (patience > 0 && evalsSinceBest(evalHistory) >= patience) {
          log(`early stopping at step ${step}: the eval loss has not improved for ${patience} evaluations (best ${Math.min(...evalHistory).toFixed(4)})`);
          break;
        }
      }
      if (params.saveEvery > 0 && step % params.saveEvery === 0 && step < params.steps) {
        const dir = checkpoint();
        hooks.emit({ type: 'checkpoint', step, path: dir });
      }
    }
    if (!(params.evalEvery > 0 && state.step % params.evalEvery === 0)) lastEval = (await runEval()) ?? lastEval;
    checkpoint();
    const exported = await plan.exportFinal(runDir, trained, shapes);
    for (const path of exported.extra) log(`wrote ${path}`);
    return { stopped: false, steps: state.step, finalLoss: lastLoss, evalLoss: lastEval, adapterDir: exported.adapterDir };
  } finally {
    await graphs.release();
  }
}
