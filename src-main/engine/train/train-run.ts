// One training run as an object: its sessions, trained tensors, optimizer and precision state, and data position; a
// step is micro-batches through the gradient graph then one update graph; evaluation, checkpoints, PLoRA's stages and
// a resume that continues the same trajectory hang off it. runTraining (trainer.ts) opens one and runs it.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalMetricsRow, TrainJobParams } from '../../common/train';
import { appendJsonl, metricsPath, trimJsonlAfterStep } from '../jobs/run-folder';
import { initOptimizerState, lrForUpdate, scalarFeeds, type OptimizerConfig } from '../optim';
import type { Feed } from '../runtime';
import { BatchStream, type Batch } from './batches';
import { loadLatestCheckpoint, saveCheckpoint, type Checkpoint, type TrainerState } from './checkpoint';
import { evalsSinceBest, readEvalLosses } from './early-stopping';
import { evaluateOnSession } from './evaluate';
import { readTokenizedExamples } from './examples';
import { openGraphs, stageSuffix, type GraphSet, type GraphSetup } from './graph-set';
import { methodPlan } from './methods';
import type { StagePlan, TrainMethodPlan } from './methods/types';
import { liveMetricValues, trainMetricsRow } from './metrics-rows';
import { PrecisionRuntime, type StepAmax } from './precision-runtime';
import { StepAccumulator } from './step-accumulator';
import { ActivationTelemetry, optimizerGradients, telemetryPath, writeTelemetry } from './telemetry';
import type { TrainHooks, TrainResult } from './trainer';
import { resolveWeightRefs } from './weights';
import type { Example } from './batches';

function optimizerConfig(p: TrainJobParams, plan: TrainMethodPlan): OptimizerConfig {
  const common = { weightDecay: p.weightDecay, maxGradNorm: p.maxGradNorm, groups: plan.optimizerGroups, anchor: plan.optimizerAnchor };
  return p.optimizer === 'adamw' ? { optimizer: 'adamw', betas: p.betas, eps: p.eps, ...common } : { optimizer: 'sgd', momentum: p.momentum, ...common };
}

/** A resume must continue the same run: the hash of its settings (data paths left out, so a moved folder resumes). */
function configHashOf(params: TrainJobParams): string {
  const { trainData: _train, evalData: _eval, ...settings } = params;
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}

interface RunParts {
  params: TrainJobParams;
  runDir: string;
  hooks: TrainHooks;
  train: Example[];
  evalSet: Example[] | null;
  plan: TrainMethodPlan;
  setup: GraphSetup;
  precision: PrecisionRuntime;
  graphs: GraphSet;
  state: TrainerState;
}

export class TrainRun {
  private readonly params: TrainJobParams;
  private readonly runDir: string;
  private readonly hooks: TrainHooks;
  private readonly train: Example[];
  private readonly evalSet: Example[] | null;
  private readonly plan: TrainMethodPlan;
  private readonly setup: GraphSetup;
  private readonly precision: PrecisionRuntime;
  private graphs: GraphSet;
  private state: TrainerState;
  private readonly shapes: Map<string, number[]>;
  private trained = new Map<string, Float32Array>();
  private optState = new Map<string, Float32Array>();
  private readonly stream: BatchStream;
  /** The method's extra update-graph inputs (full fine-tuning's guards), known once prepare() has run. */
  private updateFeeds: Record<string, Feed> = {};
  /** The eval losses so far (re-read from metrics.jsonl, so a resumed run's early stopping counts the same). */
  private evalHistory: number[] = [];
  private lastLoss: number | null = null;
  private lastEval: number | null = null;

  private constructor(p: RunParts) {
    ({ params: this.params, runDir: this.runDir, hooks: this.hooks, train: this.train, evalSet: this.evalSet, plan: this.plan } = p);
    ({ setup: this.setup, precision: this.precision, graphs: this.graphs, state: this.state } = p);
    this.shapes = new Map(this.graphs.built.params.map((t) => [t.name, t.shape]));
    this.stream = new BatchStream(this.train, this.params.batchSize, this.params.seed, this.params.shuffle, this.params.padId, this.state.position);
  }

  /** Reads the data, compiles the graphs and starts fresh, or continues exactly where the last checkpoint left off. */
  static async open(params: TrainJobParams, runDir: string, hooks: TrainHooks): Promise<TrainRun> {
    const graphDir = join(runDir, 'graph');
    mkdirSync(graphDir, { recursive: true });
    const configHash = configHashOf(params);
    const log = (text: string) => hooks.emit({ type: 'log', level: 'info', text });
    const train = readTokenizedExamples(params.trainData);
    const evalSet = params.evalData ? readTokenizedExamples(params.evalData) : null;
    const baseWeights = resolveWeightRefs(params.modelDir, graphDir, log);
    const plan = methodPlan({ params, runDir, graphDir, weights: baseWeights, log });
    const precision = new PrecisionRuntime(params);
    const setup: GraphSetup = { params, plan, graphDir, optCfg: optimizerConfig(params, plan), precision: precision.precision, lossScaled: precision.scaler !== null, withEval: evalSet !== null };
    const resumed = loadLatestCheckpoint(runDir, plan.codec);
    if (resumed && resumed.state.configHash !== configHash) {
      throw new Error(`${runDir} holds a checkpoint of a run with different settings; resume it with its own run.json, or choose a new --out.`);
    }
    const state: TrainerState = resumed?.state ?? { step: 0, updates: 0, position: { epoch: 0, index: 0 }, elapsedS: 0, tokensSeen: 0, configHash, ...(plan.stages ? { stage: 0 } : {}) };
    const stage = state.stage ?? 0;
    const graphs = await openGraphs(setup, plan.stages ? plan.stages.weightsFor(stage) : baseWeights, stageSuffix(plan, stage));
    const run = new TrainRun({ params, runDir, hooks, train, evalSet, plan, setup, precision, graphs, state });
    await run.begin(resumed);
    return run;
  }

  private log(text: string): void {
    this.hooks.emit({ type: 'log', level: 'info', text });
  }

  /** The first tensors (fresh or the checkpoint's), optimizer and precision state, and what the run says at its start. */
  private async begin(resumed: Checkpoint | null): Promise<void> {
    this.log(`compiling: ${this.graphs.built.params.length} trainable tensors, ${this.train.length} training examples`);
    for (const line of this.precision.describe()) this.log(line);
    for (const line of this.plan.describe()) this.log(line);
    this.trained = resumed?.params ?? this.plan.initialParams(this.graphs.built.params);
    await this.plan.prepare?.(this.graphs.train, this.graphs.built, this.trained);
    this.updateFeeds = this.plan.updateFeeds?.() ?? {};
    this.optState = this.freshOptimizerState();
    if (resumed) for (const [k, v] of resumed.optimizer) this.optState.set(k, v);
    this.precision.attach(this.graphs.built, this.state);
    trimJsonlAfterStep(metricsPath(this.runDir), this.state.step);
    trimJsonlAfterStep(telemetryPath(this.runDir), this.state.step);
    this.evalHistory = readEvalLosses(metricsPath(this.runDir)); // after the trim: a resume forgets evals past its checkpoint
    const stages = this.plan.stages;
    if (resumed) this.log(`resuming from step ${this.state.step}${stages ? ` (stage ${(this.state.stage ?? 0) + 1} of ${stages.count})` : ''}`);
  }

  private freshOptimizerState(): Map<string, Float32Array> {
    return new Map(Object.entries(initOptimizerState(this.graphs.built.params, this.setup.optCfg)).map(([k, v]) => [k, v.data]));
  }

  private feedsOf(m: Map<string, Float32Array>): Record<string, Feed> {
    return Object.fromEntries([...m].map(([name, data]) => [name, { data, dims: this.shapes.get(name) ?? [data.length] }]));
  }

  /** An optimizer-state key is `<slot>.<param>`: its shape is the param's. */
  private stateShape(key: string): number[] {
    return this.shapes.get(key.slice(key.indexOf('.') + 1)) as number[];
  }

  /**
   * The train graph's inputs for one micro-batch. LoRA dropout masks are a hash of (seed, global micro-batch counter):
   * derived from the optimizer step, a resumed run draws the same masks as an uninterrupted one.
   */
  feeds(batch: Batch, micro: number): Record<string, Feed> {
    const { dropout } = this.graphs.built;
    return {
      input_ids: { data: batch.inputIds, dims: batch.dims },
      labels: { data: batch.labels, dims: batch.dims },
      ...(dropout ? {
        [dropout.seed]: { data: BigInt64Array.of(BigInt(this.params.seed)), dims: [] },
        [dropout.step]: { data: BigInt64Array.of(BigInt(micro)), dims: [] },
      } : {}),
      ...this.precision.trainFeeds(this.graphs.built),
      ...this.feedsOf(this.trained),
    };
  }

  /** Writes checkpoints/step-N (tensors, optimizer, trainer state) and returns its folder. */
  checkpoint(): string {
    const optimizer = new Map([...this.optState].map(([k, data]) => [k, { shape: this.stateShape(k), data }]));
    const state = { ...this.state, ...this.precision.checkpointState(), position: this.stream.position };
    return saveCheckpoint(this.runDir, this.plan.codec, this.trained, this.shapes, optimizer, state);
  }

  /** The eval loss of the current tensors, written to metrics.jsonl and streamed; null without eval data. */
  async evaluate(): Promise<number | null> {
    if (!this.graphs.eval || !this.evalSet) return null;
    const { params, state } = this;
    const r = await evaluateOnSession(this.graphs.eval, this.evalSet, params.batchSize, params.padId, { ...this.feedsOf(this.trained), ...this.precision.scaleFeeds() });
    const row: EvalMetricsRow = { step: state.step, eval_loss: r.loss, eval_tokens: r.tokens, eval_ppl: r.ppl, elapsed_s: state.elapsedS };
    appendJsonl(metricsPath(this.runDir), row);
    this.evalHistory.push(r.loss);
    this.hooks.emit({ type: 'metrics', step: state.step, values: { eval_loss: r.loss, eval_ppl: r.ppl } });
    return r.loss;
  }

  /**
   * PLoRA: at a stage boundary the finished stage is merged into the weights, A is re-drawn, B zeroed, the optimizer
   * state reset; the lr schedule runs over the whole run (one schedule, not one per stage).
   */
  async nextStage(): Promise<void> {
    const stages = this.plan.stages as StagePlan;
    const done = this.state.stage ?? 0;
    stages.finishStage(done, this.trained);
    await this.graphs.release();
    this.graphs = await openGraphs(this.setup, stages.weightsFor(done + 1), stageSuffix(this.plan, done + 1));
    this.trained = stages.paramsFor(done + 1);
    this.optState = this.freshOptimizerState();
    // A fresh optimizer counts its steps from 1 again (AdamW's bias correction), while the lr schedule goes on.
    this.state = { ...this.state, stage: done + 1, stageFirstUpdate: this.state.updates ?? this.state.step };
    this.log(`PLoRA: stage ${done + 1} merged into the run's weights; stage ${done + 2} of ${stages.count} starts at step ${this.state.step}`);
  }

  private stageDue(): boolean {
    const stages = this.plan.stages;
    const next = (this.state.stage ?? 0) + 1;
    return !!stages && next < stages.count && this.state.step >= stages.startStep(next);
  }

  /** The step's micro-batches through the train graph: summed gradients, fp8 amaxes and (telemetry) activations. */
  private async accumulate(telemetryStep: boolean): Promise<{ acc: StepAccumulator; amax: StepAmax | null; activations: ActivationTelemetry | null }> {
    const acc = new StepAccumulator();
    const amax = this.precision.newStepAmax();
    const acts = this.graphs.built.outputs.activations;
    const activations = telemetryStep && acts.length ? new ActivationTelemetry(acts) : null;
    for (let micro = 0; micro < this.params.gradAccum; micro++) {
      const batch = this.stream.next();
      const out = await this.graphs.train.run(this.feeds(batch, this.state.step * this.params.gradAccum + micro), activations ? undefined : this.graphs.trainFetches);
      acc.add(out, this.graphs.built.outputs.grads, batch);
      amax?.add(out);
      activations?.add(out);
    }
    return { acc, amax, activations };
  }

  /** The update graph over the accumulated gradients; the new tensors and optimizer state replace the old. */
  private async applyUpdate(acc: StepAccumulator, lr: number, updates: number): Promise<{ gradNorm: number; foundInf: boolean }> {
    const updated = await this.graphs.update.run({
      ...scalarFeeds({ lr, step: updates + 1 - (this.state.stageFirstUpdate ?? 0), tokenCount: acc.countedTokens, ...this.precision.updateScalars() }),
      ...this.feedsOf(this.trained),
      ...acc.gradFeeds(this.shapes),
      ...this.updateFeeds,
      ...Object.fromEntries([...this.optState].map(([k, data]) => [k, { data, dims: this.stateShape(k) }])),
    });
    for (const name of this.trained.keys()) this.trained.set(name, updated[`new.${name}`].data as Float32Array);
    for (const key of this.optState.keys()) this.optState.set(key, updated[`new_${key}`].data as Float32Array);
    // On overflow the update graph kept params and states (skipNonFinite); found_inf exists only with loss scaling.
    return { gradNorm: (updated.grad_norm.data as Float32Array)[0], foundInf: updated.found_inf ? (updated.found_inf.data as Float32Array)[0] !== 0 : false };
  }

  /** One optimizer step, its metrics row, telemetry and live events. */
  async step(): Promise<void> {
    const started = performance.now();
    const telemetryStep = !!this.params.telemetryEvery && (this.state.step + 1) % this.params.telemetryEvery === 0;
    const { acc, amax, activations } = await this.accumulate(telemetryStep);
    const step = this.state.step + 1;
    // The update graph's step and the schedule count applied updates only (see TrainerState.updates).
    const updates = this.state.updates ?? this.state.step;
    const schedule = { kind: this.params.schedule, lr: this.params.lr, warmupSteps: this.params.warmupSteps, totalSteps: this.params.steps };
    const lr = lrForUpdate(updates + 1, schedule);
    const { gradNorm, foundInf } = await this.applyUpdate(acc, lr, updates);
    const { scaled, fp8ScaleMin } = this.precision.afterUpdate(foundInf, amax);
    const seconds = (performance.now() - started) / 1000;
    this.state = {
      ...this.state, step, updates: scaled?.skipped ? updates : updates + 1, position: this.stream.position, elapsedS: this.state.elapsedS + seconds,
      tokensSeen: this.state.tokensSeen + acc.inputTokens, ...this.precision.stepState(),
    };
    const row = trainMetricsRow({
      step, lr, gradNorm, acc, seconds, elapsedS: this.state.elapsedS, epoch: this.state.position.epoch + this.state.position.index / this.train.length,
      stage: this.plan.stages ? (this.state.stage ?? 0) + 1 : null, scaling: this.precision.metricsFields(scaled),
    });
    this.lastLoss = row.loss;
    appendJsonl(metricsPath(this.runDir), row);
    // Range telemetry: the gradients the optimizer saw this step (unscaled, before clipping), the weights after it,
    // the activations of its micro-batches (with the weights before it, as the forward saw them).
    if (telemetryStep) writeTelemetry(this.runDir, step, optimizerGradients(acc.rawGrads, acc.countedTokens, scaled ? scaled.usedScale : null), this.trained, activations);
    this.hooks.emit({ type: 'metrics', step, values: liveMetricValues(row, fp8ScaleMin) });
    const rate = step / Math.max(this.state.elapsedS, 1e-9);
    this.hooks.emit({ type: 'progress', progress: step / this.params.steps, message: `step ${step}/${this.params.steps} · loss ${row.loss.toFixed(4)}`, rate, etaSeconds: (this.params.steps - step) / rate });
  }

  /** Evaluation, early stopping and the periodic checkpoint after a step; true when early stopping ends the run. */
  private async afterStep(): Promise<boolean> {
    const { params } = this;
    const step = this.state.step;
    if (params.evalEvery > 0 && step % params.evalEvery === 0) {
      this.lastEval = await this.evaluate();
      // Early stopping: the run ends (normally, with its export) after `earlyStopping` evaluations without a new best.
      const patience = params.earlyStopping ?? 0;
      if (patience > 0 && evalsSinceBest(this.evalHistory) >= patience) {
        this.log(`early stopping at step ${step}: the eval loss has not improved for ${patience} evaluations (best ${Math.min(...this.evalHistory).toFixed(4)})`);
        return true;
      }
    }
    if (params.saveEvery > 0 && step % params.saveEvery === 0 && step < params.steps) {
      this.hooks.emit({ type: 'checkpoint', step, path: this.checkpoint() });
    }
    return false;
  }

  /** Steps until the end, a stop request (checkpoint saved) or early stopping; then the final eval and export. */
  async run(): Promise<TrainResult> {
    const { params } = this;
    while (this.state.step < params.steps) {
      const stop = this.hooks.stopReason();
      if (stop) {
        this.checkpoint();
        this.log(`stopped at step ${this.state.step} (${stop}); checkpoint saved`);
        return { stopped: true, steps: this.state.step, finalLoss: this.lastLoss, evalLoss: this.lastEval, adapterDir: null };
      }
      if (this.stageDue()) await this.nextStage();
      await this.step();
      if (await this.afterStep()) break;
    }
    if (!(params.evalEvery > 0 && this.state.step % params.evalEvery === 0)) this.lastEval = (await this.evaluate()) ?? this.lastEval;
    this.checkpoint();
    const exported = await this.plan.exportFinal(this.runDir, this.trained, this.shapes);
    for (const path of exported.extra) this.log(`wrote ${path}`);
    return { stopped: false, steps: this.state.step, finalLoss: this.lastLoss, evalLoss: this.lastEval, adapterDir: exported.adapterDir };
  }

  release(): Promise<void> {
    return this.graphs.release();
  }
}
