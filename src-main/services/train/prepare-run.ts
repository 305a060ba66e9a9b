// Run preparation: checks the model, tokenizes the data into OUT/data/, resolves steps and pad id, writes OUT/run.json,
// and yields the TrainJobParams. On bad input OUT receives error.json and nothing else.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiError } from '../../common/errors';
import type { ModelSpec } from '../../common/model-spec';
import { LORA_TARGET_NAMES, TrainJobParams } from '../../common/train';
import { tokenizeDataset, writeTokenizedJsonl, type TokenizedDataset, type TokenizeOptions } from '../../data/tokenize';
import { checkpointFiles } from '../../engine/io/checkpoint-files';
import { readPeftAdapter } from '../../engine/io/peft-adapter';
import { readModelConfig } from '../../models/hf/config';
import { TextTokenizer } from '../../models/tokenizer';
import { DEFAULT_MAX_SEQ_LEN, type TrainConfig, type TrainKey } from './config-schema';
import { METHOD_KEYS, stepsForEpochs } from './config';
import { decideExecution, executionParams, type ExecutionDecision } from './execution';
import { precisionParams, precisionRecord } from './precision';
import { ERROR_FILE, RUN_FILE, runDataFiles, runEnvironment, writeErrorFile, writeRunInfo, type DatasetInfo, type RunInfo } from './run-info';

export interface PreparedRun {
  outDir: string;
  params: TrainJobParams;
  info: RunInfo;
  /** The provider the run computes on and whether its precision runs there for real (execution.ts). */
  execution: ExecutionDecision;
  /** Sentences about skipped or truncated rows, for the CLI and the wizard. */
  warnings: string[];
}

/** A problem with OUT itself: reported without writing there (it may hold someone's run). */
class OutDirError extends ApiError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** OUT must be new, empty, or hold only the error.json of an earlier failed preparation. */
function checkOutDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new OutDirError(`--out ${outDir} is a file, not a folder.`);
  const entries = readdirSync(outDir).filter((e) => e !== ERROR_FILE);
  if (entries.includes(RUN_FILE)) throw new OutDirError(`${outDir} already holds a run: continue it with --resume ${outDir}, or choose another --out.`);
  if (entries.length) throw new OutDirError(`${outDir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): choose a new or empty folder for --out.`);
}

async function tokenizeRunData(config: TrainConfig, tokenizer: TextTokenizer | null, tokenize: TokenizeOptions) {
  const train = await tokenizeDataset(config.data, tokenizer, tokenize);
  // Eval rows are never packed: packed rows attend across their boundaries, which would bias the measured loss.
  const evalSet = config.eval_data ? await tokenizeDataset(config.eval_data, tokenizer, { ...tokenize, packing: false }) : null;
  // EWC's general data: tokenized like the eval set (never packed), read by the engine for the Fisher estimate.
  const ewcSet = config.method === 'full' && config.ewc_lambda > 0 && config.ewc_data ? await tokenizeDataset(config.ewc_data, tokenizer, { ...tokenize, packing: false }) : null;
  return { train, evalSet, ewcSet };
}

/**
 * Weights are hard-linked beside the run's graph; across filesystems the engine copies them instead (graph-folder.ts).
 * Says so before the run starts, with the size, since a model's weights are often many GB.
 */
function crossFilesystemWarning(outDir: string, weightFiles: string[]): string | null {
  let existing = outDir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const outDev = statSync(existing).dev;
  const apart = weightFiles.filter((f) => statSync(f).dev !== outDev);
  if (apart.length === 0) return null;
  const gib = apart.reduce((sum, f) => sum + statSync(f).size, 0) / 2 ** 30;
  return `${outDir} is on another filesystem than the model's weights, which cannot be hard-linked across filesystems: the engine copies ${apart.length} weight file${apart.length > 1 ? 's' : ''} (${gib.toFixed(2)} GiB) into ${join(outDir, 'graph')} (a reflink where the filesystem allows). Put the run folder on the model's filesystem to avoid the copy.`;
}

/** The tokenizer of the model folder, or null when it has none (pre-tokenized data needs none). */
function loadTokenizer(modelDir: string): TextTokenizer | null {
  return existsSync(join(modelDir, 'tokenizer.json')) ? TextTokenizer.fromFolder(modelDir) : null;
}

/** Padding never reaches the loss (labels -100), but it must index the embedding: pad, else eos, else 0. */
export function padIdOf(tokenizer: TextTokenizer | null, vocabSize: number): number {
  const single = (text: string | null) => {
    if (text == null || !tokenizer) return null;
    const ids = tokenizer.encode(text);
    return ids.length === 1 ? ids[0] : null;
  };
  for (const id of [single(tokenizer?.specialTokens.pad_token ?? null), tokenizer?.eosTokenId ?? null]) {
    if (id != null && id >= 0 && id < vocabSize) return id;
  }
  return 0;
}

const allTargets = (t: TrainConfig['targets']) => (t === 'all-linear' ? [...LORA_TARGET_NAMES] : [...t]);

/** An --init-adapter must match the run's rank, alpha and targets: the engine trains with the adapter's, and run.json must not say otherwise. */
function checkInitAdapter(config: TrainConfig): void {
  if (!config.init_adapter) return;
  const { config: a } = readPeftAdapter(config.init_adapter, { rslora: true, dora: true });
  const want = allTargets(config.targets).sort().join(',');
  const have = [...a.targetModules].sort().join(',');
  if (!!a.useDora !== config.use_dora || !!a.useRslora !== config.use_rslora) {
    const flags = (dora: boolean, rs: boolean) => [dora ? 'DoRA' : '', rs ? 'rsLoRA' : ''].filter(Boolean).join(' + ') || 'plain LoRA';
    throw new ApiError('invalid-input', `init_adapter ${config.init_adapter} is ${flags(!!a.useDora, !!a.useRslora)}; the run is ${flags(config.use_dora, config.use_rslora)}. Set use_dora / use_rslora to the adapter's to continue from it.`);
  }
  if (a.r !== config.rank || a.alpha !== config.alpha || want !== have) {
    throw new ApiError('invalid-input', `init_adapter ${config.init_adapter} has r=${a.r}, alpha=${a.alpha} and targets ${have}; the run has rank ${config.rank}, alpha ${config.alpha} and targets ${want}. Set rank, alpha and targets to the adapter's to continue from it.`);
  }
}

function datasetInfo(source: string, d: TokenizedDataset): DatasetInfo {
  return { source, format: d.format, ...d.summary, warnings: d.warnings };
}

/**
 * The settings of the run's method, each only where it applies, so the params (and the resume hash) of a LoRA run
 * made before the other methods existed stay as they were.
 */
function methodParams(config: TrainConfig, spec: ModelSpec, ewcData: string | null): Partial<TrainJobParams> {
  switch (config.method) {
    case 'lora_plus': return { loraPlusRatio: config.loraplus_ratio };
    case 'plora': return { stages: config.stages };
    case 'ptuning':
    case 'prefix':
      return { prompt: { virtualTokens: config.virtual_tokens, encoder: config.encoder, encoderHidden: config.encoder_hidden ?? spec.hiddenSize } };
    case 'full':
      return config.l2sp_lambda > 0 || config.ewc_lambda > 0
        ? { guards: { l2spLambda: config.l2sp_lambda, ewcLambda: config.ewc_lambda, ewcData, ewcSamples: config.ewc_samples } }
        : {};
    default:
      return {};
  }
}

function buildParams(config: TrainConfig, spec: ModelSpec, outDir: string, steps: number, padId: number, hasEval: boolean, hasEwc: boolean, execution: ExecutionDecision): TrainJobParams {
  const files = runDataFiles(outDir);
  return TrainJobParams.parse({
    modelDir: config.model, spec, trainData: files.train, evalData: hasEval ? files.eval : null, padId,
    method: config.method,
    ...methodParams(config, spec, hasEwc ? files.ewc : null),
    lora: {
      r: config.rank, alpha: config.alpha, dropout: config.dropout, targets: config.targets, init: config.lora_init,
      ...(config.use_rslora ? { useRslora: true } : {}), ...(config.use_dora ? { useDora: true } : {}),
    },
    ...(config.early_stopping > 0 ? { earlyStopping: config.early_stopping } : {}),
    initAdapter: config.init_adapter,
    optimizer: config.optim, lr: config.lr, weightDecay: config.weight_decay, betas: config.betas, eps: config.eps,
    momentum: config.momentum, maxGradNorm: config.max_grad_norm, schedule: config.schedule, warmupSteps: config.warmup_steps,
    batchSize: config.batch_size, gradAccum: config.grad_accum, steps, seed: config.seed, shuffle: config.shuffle,
    evalEvery: config.eval_every, saveEvery: config.save_every, threads: config.threads,
    ...precisionParams(config),
    ...executionParams(execution),
    // Only when on: a run without telemetry keeps the params (and resume hash) of run folders made before it.
    ...(config.telemetry_every > 0 ? { telemetryEvery: config.telemetry_every } : {}),
  });
}

/**
 * Everything that can fail on the user's input happens before the first write; the writes themselves (data files,
 * then run.json last, atomically) are undone if one fails. Throws the original error after recording it.
 */
export async function prepareRun(config: TrainConfig, now: () => Date = () => new Date()): Promise<PreparedRun> {
  const outDir = config.out;
  checkOutDir(outDir);
  const written: string[] = [];
  try {
    const spec = readModelConfig(config.model);
    const weightFiles = checkpointFiles(config.model); // no weights is as fatal as no config, and cheaper to say now than in the engine
    const tokenizer = loadTokenizer(config.model);
    const maxSeqLen = config.max_seq_len ?? Math.min(DEFAULT_MAX_SEQ_LEN, spec.maxPositions);
    const tokenize: TokenizeOptions = {
      format: config.format, maxSeqLen, trainOnPrompt: config.train_on_prompt, overLength: config.truncate ? 'truncate' : 'error',
      packing: config.packing, maxPositions: spec.maxPositions, vocabSize: spec.vocabSize,
    };
    const { train, evalSet, ewcSet } = await tokenizeRunData(config, tokenizer, tokenize).finally(() => tokenizer?.close());
    checkInitAdapter(config);
    const execution = await decideExecution(config);
    const precision = precisionRecord(config, execution);
    const steps = config.steps ?? stepsForEpochs(config.epochs ?? 1, train.examples.length, config.batch_size, config.grad_accum);
    const params = buildParams(config, spec, outDir, steps, padIdOf(tokenizer, spec.vocabSize), evalSet !== null, ewcSet !== null, execution);
    const info: RunInfo = {
      kind: 'ftstudio-train-run',
      ...runEnvironment(),
      // The ratio is recorded only where it applies, so this config can be copied back into a run.yaml as it is.
      config: { ...methodConfig(config), max_seq_len: maxSeqLen, steps },
      params,
      ...(precision ? { precision } : {}),
      data: { train: datasetInfo(config.data, train), eval: evalSet && config.eval_data ? datasetInfo(config.eval_data, evalSet) : null },
      started_at: now().toISOString(),
    };

    const files = runDataFiles(outDir);
    mkdirSync(join(outDir, 'data'), { recursive: true });
    written.push(join(outDir, 'data'));
    await writeTokenizedJsonl(files.train, train.examples);
    if (evalSet) await writeTokenizedJsonl(files.eval, evalSet.examples);
    if (ewcSet) await writeTokenizedJsonl(files.ewc, ewcSet.examples);
    written.push(join(outDir, RUN_FILE));
    writeRunInfo(outDir, info);
    rmSync(join(outDir, ERROR_FILE), { force: true }); // from an earlier failed attempt
    const copyWarning = crossFilesystemWarning(outDir, weightFiles);
    return { outDir, params, info, execution, warnings: [...train.warnings, ...(evalSet?.warnings ?? []), ...(copyWarning ? [copyWarning] : [])] };
  } catch (err) {
    for (const path of written) rmSync(path, { recursive: true, force: true });
    recordError(outDir, err);
    throw err;
  }
}

/** The config without the keys of other methods: run.json's config can be copied back into a run.yaml as it is. */
export function methodConfig(config: TrainConfig): Partial<TrainConfig> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => {
    const methods = METHOD_KEYS[key as TrainKey];
    return !methods || methods.includes(config.method);
  })) as Partial<TrainConfig>;
}

function recordError(outDir: string, err: unknown): void {
  try {
    mkdirSync(outDir, { recursive: true });
    writeErrorFile(outDir, err instanceof Error ? err.message : String(err));
  } catch {
    // OUT itself is unwritable: the caller still reports the original error.
  }
}
