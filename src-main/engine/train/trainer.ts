// The training loop: micro-batches through the gradient graph, one update graph per optimizer step, metrics,
// evaluation, checkpoints, and a resume that continues the same trajectory.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FromEngine } from '../../common/engine-protocol';
import { DEFAULT_LORAPLUS_RATIO, type EvalMetricsRow, type TrainJobParams, type TrainMetricsRow } from '../../common/train';
import { readPeftAdapter } from '../io/peft-adapter';
import { appendJsonl, metricsPath, trimJsonlAfterStep } from '../jobs/run-folder';
import type { StopReason } from '../jobs/types';
import { buildEvalGraph, buildTrainGraph, type BuiltGraph } from '../nn';
import { buildUpdateGraph, initOptimizerState, lrForUpdate, scalarFeeds, type OptimizerConfig, type ParamSpec } from '../optim';
import { serializeModel } from '../onnx/serialize';
import { GradScaler, type LossScaleConfig } from '../precision/grad-scaler';
import { EngineSession, type Feed } from '../runtime';
import { BatchStream } from './batches';
import { loadLatestCheckpoint, saveCheckpoint, saveFinalAdapter, type TrainerState } from './checkpoint';
import { evaluateOnSession } from './evaluate';
import { readTokenizedExamples } from './examples';
import { adapterLoraConfig, initialLoraParams, peftAdapterConfig, settingsLoraConfig, toAdapterTensors } from './lora-state';
import { StepAccumulator } from './step-accumulator';
import { optimizerGradients, telemetryPath, writeTelemetry } from './telemetry';
import { resolveWeightRefs } from './weights';

export interface TrainHooks {
  emit(msg: FromEngine): void;
  stopReason(): StopReason | null;
}

export interface TrainResult { stopped: boolean; steps: number; finalLoss: number | null; evalLoss: number | null; adapterDir: string | null }

function optimizerConfig(p: TrainJobParams): OptimizerConfig {
  // LoRA+ is two parameter groups of the one optimizer: A (group 0) at lr, B (group 1) at lr × λ, both with the run's
  // weight decay. That is PEFT's create_loraplus_optimizer (peft/optimizers/loraplus.py) called with
  // loraplus_weight_decay = the run's weight decay, as the LoRA+ authors' reference does with the Trainer's: its groupA
  // and groupB share one decay, and its other two groups are empty here — "embedding" holds LoRA on embedding layers and
  // "groupB_no_decay" 1-D params (biases, norms), and the trainable tensors of our runs are only the A and B of linear layers.
  const groups = p.method === 'lora_plus' ? [{}, { lrMultiplier: p.loraPlusRatio ?? DEFAULT_LORAPLUS_RATIO }] : undefined;
  const common = { weightDecay: p.weightDecay, maxGradNorm: p.maxGradNorm, groups };
  return p.optimizer === 'adamw' ? { optimizer: 'adamw', betas: p.betas, eps: p.eps, ...common } : { optimizer: 'sgd', momentum: p.momentum, ...common };
}

/** The trainable tensors in their optimizer groups: with LoRA+ every lora_B goes to group 1, the rest stay in group 0. */
export function optimizerParams(params: readonly ParamSpec[], method: TrainJobParams['method']): ParamSpec[] {
  return params.map((p) => ({ ...p, group: method === 'lora_plus' && p.name.includes('lora_B') ? 1 : 0 }));
}

/** --loss-scale: dynamic | none | a number; default dynamic for fp16 (GradScaler), none for bf16 and fp32. */
export function lossScaleConfig(p: Pick<TrainJobParams, 'precision' | 'lossScale'>): LossScaleConfig {
  const v = p.lossScale ?? (p.precision === 'fp16' ? 'dynamic' : 'none');
  return typeof v === 'number' ? { kind: 'static', scale: v } : { kind: v };
}

async function openSession(dir: string, file: string, bytes: Uint8Array, threads: number): Promise<EngineSession> {
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return EngineSession.create(path, { intraOpThreads: threads });
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
  const initAdapter = params.initAdapter ? readPeftAdapter(params.initAdapter) : null;
  const lora = initAdapter ? adapterLoraConfig(initAdapter.config) : settingsLoraConfig(params.lora);
  const adapterConfig = peftAdapterConfig(lora, params.lora.init, params.lora.dropout, params.modelDir);

  const weights = resolveWeightRefs(params.modelDir, graphDir);
  // The run's dropout applies to a continued adapter too (adapterLoraConfig reads none); eval graphs never drop.
  // Mixed precision: emulated autocast in the train and eval graphs; loss scaling multiplies the differentiated loss by
  // the scaler's S (a graph input), the update graph divides the gradients by S first and skips non-finite steps.
  const precision = params.precision ?? 'fp32';
  const scaleCfg = lossScaleConfig(params);
  const scaler = scaleCfg.kind === 'none' ? null : new GradScaler(scaleCfg);
  const built: BuiltGraph = buildTrainGraph(params.spec, weights, {
    lora: { ...lora, dropout: params.lora.dropout }, name: 'train', precision, lossScaleInput: scaler !== null,
  });
  const shapes = new Map(built.params.map((p) => [p.name, p.shape]));
  const optCfg = optimizerConfig(params);
  const update = buildUpdateGraph(optimizerParams(built.params, params.method), scaler ? { ...optCfg, lossScale: true, skipNonFinite: true } : optCfg);
  log(`compiling: ${built.params.length} trainable tensors, ${train.length} training examples`);
  if (precision !== 'fp32' || scaler) log(`precision ${precision} (emulated), loss scale ${scaler ? `${scaleCfg.kind} from ${scaler.scale}` : 'none'}`);
  if (params.method === 'lora_plus') log(`LoRA+: lora_B at lr × ${params.loraPlusRatio ?? DEFAULT_LORAPLUS_RATIO}, lora_A at lr`);
  const trainSession = await openSession(graphDir, 'train.onnx', built.serialize(), params.threads);
  const updateSession = await openSession(graphDir, 'update.onnx', serializeModel(update.graph), params.threads);
  const evalSession = evalSet ? await openSession(graphDir, 'eval.onnx', buildEvalGraph(params.spec, weights, { lora, name: 'eval', precision }).serialize(), params.threads) : null;

  // Start fresh, or continue exactly where the last checkpoint left off.
  const resumed = loadLatestCheckpoint(runDir);
  if (resumed && resumed.state.configHash !== configHash) {
    throw new Error(`${runDir} holds a checkpoint of a run with different settings; resume it with its own run.json, or choose a new --out.`);
  }
  let state: TrainerState = resumed?.state ?? { step: 0, updates: 0, position: { epoch: 0, index: 0 }, elapsedS: 0, tokensSeen: 0, configHash };
  const loraParams = resumed?.params ?? initialLoraParams(params.spec, lora, params.seed, params.lora.init, initAdapter);
  const optState = new Map<string, Float32Array>(Object.entries(initOptimizerState(built.params, optCfg)).map(([k, v]) => [k, v.data]));
  if (resumed) for (const [k, v] of resumed.optimizer) optState.set(k, v);
  if (scaler && state.scaler) {
    scaler.load(state.scaler);
    scaler.skippedSteps = state.scaler.skippedSteps;
  }
  const scalerState = () => (scaler ? { scaler: { ...scaler.state(), skippedSteps: scaler.skippedSteps } } : {});
  trimJsonlAfterStep(metricsPath(runDir), state.step);
  trimJsonlAfterStep(telemetryPath(runDir), state.step);
  if (resumed) log(`resuming from step ${state.step}`);

  const stream = new BatchStream(train, params.batchSize, params.seed, params.shuffle, params.padId, state.position);
  const schedule = { kind: params.schedule, lr: params.lr, warmupSteps: params.warmupSteps, totalSteps: params.steps };
  const feedsOf = (m: Map<string, Float32Array>): Record<string, Feed> =>
    Object.fromEntries([...m].map(([name, data]) => [name, { data, dims: shapes.get(name) ?? [data.length] }]));
  // LoRA dropout masks are a hash of (seed, global micro-batch counter): derived from the optimizer step, a resumed
  // run draws the same masks as an uninterrupted one.
  const dropoutFeeds = (micro: number): Record<string, Feed> => built.dropout ? {
    [built.dropout.seed]: { data: BigInt64Array.of(BigInt(params.seed)), dims: [] },
    [built.dropout.step]: { data: BigInt64Array.of(BigInt(micro)), dims: [] },
  } : {};
  const optimizerTensors = () => new Map([...optState].map(([k, data]) => [k, { shape: shapes.get(k.slice(k.indexOf('.') + 1)) as number[], data }]));
  const checkpoint = () => saveCheckpoint(runDir, adapterConfig, toAdapterTensors(loraParams, shapes), optimizerTensors(), { ...state, ...scalerState(), position: stream.position });

  const runEval = async (): Promise<number | null> => {
    if (!evalSession || !evalSet) return null;
    const r = await evaluateOnSession(evalSession, evalSet, params.batchSize, params.padId, feedsOf(loraParams));
    const row: EvalMetricsRow = { step: state.step, eval_loss: r.loss, eval_tokens: r.tokens, eval_ppl: r.ppl, elapsed_s: state.elapsedS };
    appendJsonl(metricsPath(runDir), row);
    hooks.emit({ type: 'metrics', step: state.step, values: { eval_loss: r.loss, eval_ppl: r.ppl } });
    return r.loss;
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
      const started = performance.now();
      const acc = new StepAccumulator();
      for (let micro = 0; micro < params.gradAccum; micro++) {
        const batch = stream.next();
        const out = await trainSession.run({
          input_ids: { data: batch.inputIds, dims: batch.dims },
          labels: { data: batch.labels, dims: batch.dims },
          ...dropoutFeeds(state.step * params.gradAccum + micro),
          ...(scaler && built.lossScale ? { [built.lossScale]: { data: Float32Array.of(scaler.scale), dims: [] } } : {}),
          ...feedsOf(loraParams),
        });
        acc.add(out, built.outputs.grads, batch);
      }
      const step = state.step + 1;
      // The update graph's step and the schedule count applied updates only (see TrainerState.updates).
      const updates = state.updates ?? state.step;
      const lr = lrForUpdate(updates + 1, schedule);
      const updated = await updateSession.run({
        ...scalarFeeds({ lr, step: updates + 1, tokenCount: acc.countedTokens, ...(scaler ? { lossScale: scaler.scale } : {}) }),
        ...feedsOf(loraParams),
        ...acc.gradFeeds(shapes),
        ...Object.fromEntries([...optState].map(([k, data]) => [k, { data, dims: shapes.get(k.slice(k.indexOf('.') + 1)) as number[] }])),
      });
      for (const name of loraParams.keys()) loraParams.set(name, updated[`new.${name}`].data as Float32Array);
      for (const key of optState.keys()) optState.set(key, updated[`new_${key}`].data as Float32Array);
      // The update graph kept params and states on overflow; the scaler backs off (dynamic) and counts the skip.
      const scaled = scaler ? scaler.update((updated.found_inf.data as Float32Array)[0] !== 0) : null;
      const seconds = (performance.now() - started) / 1000;
      lastLoss = acc.countedTokens ? acc.lossSum / acc.countedTokens : 0;
      state = { ...state, step, updates: scaled?.skipped ? updates : updates + 1, position: stream.position, elapsedS: state.elapsedS + seconds, tokensSeen: state.tokensSeen + acc.inputTokens };
      const row: TrainMetricsRow = {
        step, loss: lastLoss, lr, grad_norm: (updated.grad_norm.data as Float32Array)[0], tokens: acc.inputTokens, trained_tokens: acc.countedTokens,
        tokens_per_s: acc.inputTokens / seconds, elapsed_s: state.elapsedS,
        epoch: state.position.epoch + state.position.index / train.length,
        ...(scaler && scaled ? { loss_scale: scaled.usedScale, overflow: scaled.skipped ? 1 as const : 0 as const, skipped_steps: scaler.skippedSteps } : {}),
      };
      appendJsonl(metricsPath(runDir), row);
      // Range telemetry: the gradients the optimizer saw this step (unscaled, before clipping), the weights after it.
      if (params.telemetryEvery && step % params.telemetryEvery === 0) {
        writeTelemetry(runDir, step, optimizerGradients(acc.rawGrads, acc.countedTokens, scaled ? scaled.usedScale : null), loraParams);
      }
      hooks.emit({
        type: 'metrics', step,
        values: {
          loss: row.loss, lr: row.lr, grad_norm: row.grad_norm, tokens_per_s: row.tokens_per_s,
          // The live run panel shows the loss scale and skips as they happen, not only when metrics.jsonl is re-read.
          ...(row.loss_scale !== undefined ? { loss_scale: row.loss_scale, overflow: row.overflow ?? 0, skipped_steps: row.skipped_steps ?? 0 } : {}),
        },
      });
      const rate = step / Math.max(state.elapsedS, 1e-9);
      hooks.emit({ type: 'progress', progress: step / params.steps, message: `step ${step}/${params.steps} · loss ${lastLoss.toFixed(4)}`, rate, etaSeconds: (params.steps - step) / rate });
      if (params.evalEvery > 0 && step % params.evalEvery === 0) lastEval = await runEval();
      if (params.saveEvery > 0 && step % params.saveEvery === 0 && step < params.steps) {
        const dir = checkpoint();
        hooks.emit({ type: 'checkpoint', step, path: dir });
      }
    }
    if (!(params.evalEvery > 0 && state.step % params.evalEvery === 0)) lastEval = (await runEval()) ?? lastEval;
    checkpoint();
    const adapterDir = saveFinalAdapter(runDir, adapterConfig, toAdapterTensors(loraParams, shapes));
    return { stopped: false, steps: state.step, finalLoss: lastLoss, evalLoss: lastEval, adapterDir };
  } finally {
    await Promise.all([trainSession.release(), updateSession.release(), evalSession?.release()]);
  }
}
