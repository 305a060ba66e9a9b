// The API contract, in one file: every method with its input and output schema, every event with its payload.
// Electron IPC (preload), the WebSocket of serve mode and the in-memory test transport are all derived from it.
import { z } from 'zod';
import { BaselineInput, BaselineResult, BaselineStarted, EstimateAlternativesInput, EstimateAlternativesOutput } from './alternatives';
import { ModelSpecInfo } from './adapter-methods';
import { CalibrateInput, CalibrationQuery, CpuCalibration } from './calibration';
import { EstimateOptions, EstimateRunInput, EstimateRunOutput } from './estimate';
import { HardwareReport } from './hardware';
import { InitCheckResult, Job, JobKind, JobLogEvent, JobMetricsEvent, JobProgressEvent, JobState } from './jobs';
import {
  CleanOutput, Dataset, DataProgressEvent, ExportFormat, ImportInput, ImportOutput, MixInput, OperatorInfo, PreviewOutput, Recipe,
  RecipeStep, RecordChange, StoredRecord, ChangeAction, DuplicateCluster, RecordFilter,
} from './datasets';
import { DatasetAnalysis } from './data-analysis';
import { TelemetryKindSchema, TelemetryLine } from './precision/telemetry-line';
import { DryRunInput, DryRunResult, DryRunStarted } from './precision/dry-run';
import { StoreStatus } from './store';
import { TrainStartInput } from './train';

const Empty = z.object({}).strict();

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'serve', 'memory']),
  home: z.string(), // where this app keeps its data
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const methods = {
  'app.info': { input: Empty, output: AppInfo },
  'hardware.get': { input: z.object({ refresh: z.boolean().optional() }).strict(), output: HardwareReport },
  'store.status': { input: Empty, output: StoreStatus },
  /** Renames a corrupt or too-new database file aside (never deletes it) and starts a fresh one. */
  'store.moveAside': { input: Empty, output: z.object({ movedTo: z.string(), status: StoreStatus }) },
  'jobs.list': { input: Empty, output: z.array(Job) },
  'jobs.get': { input: z.object({ id: z.string().min(1) }).strict(), output: Job },
  'jobs.start': { input: z.object({ kind: JobKind, params: z.record(z.string(), z.unknown()).default({}) }).strict(), output: Job },
  'jobs.cancel': { input: z.object({ id: z.string().min(1) }).strict(), output: Job },
  /** The job's metrics.jsonl rows (the run folder is the truth, so a chart survives restarts); optionally only newer ones. */
  'jobs.metrics': {
    input: z.object({ id: z.string().min(1), afterStep: z.number().int().min(0).optional() }).strict(),
    output: z.array(z.object({ step: z.number().int() }).catchall(z.number())),
  },
  /** The job's telemetry.jsonl lines (log2 histograms of |x| and fp16/bf16/fp8 range shares), the latest per step; empty without one. */
  'jobs.telemetry': {
    input: z.object({ id: z.string().min(1), kind: TelemetryKindSchema.optional() }).strict(),
    output: z.array(TelemetryLine),
  },
  /** Prepares a training run (checks the model, tokenizes the data into the run folder) and starts its job. */
  'train.start': { input: TrainStartInput, output: Job },
  /** Restarts an interrupted (or failed) job from the last checkpoint in its run folder. */
  'jobs.resume': { input: z.object({ id: z.string().min(1) }).strict(), output: Job },
  /** The system's open dialog (desktop app only; in serve mode the browser cannot give paths: type them instead). */
  'dialog.openPaths': {
    input: z.object({ kind: z.enum(['files', 'folder']).default('files'), title: z.string().max(200).optional() }).strict(),
    output: z.object({ paths: z.array(z.string()) }),
  },
  'external.open': { input: z.object({ url: z.string().url() }).strict(), output: z.object({ opened: z.boolean() }) },
  /** The catalog models, devices (catalog GPUs and this CPU) and precisions the estimator knows. */
  'estimate.options': { input: Empty, output: EstimateOptions },
  /** Memory, verdict, ranked fixes, time and cost of one run's settings, before it starts. */
  'estimate.run': { input: EstimateRunInput, output: EstimateRunOutput },
  /** Starts a `calibrate` job: this CPU's MatMul GFLOP/s (≤ 10 s), cached in the home so CPU estimates get a time. */
  'estimate.calibrate': { input: CalibrateInput, output: Job },
  /** The cached CPU calibration for this CPU, thread count (default: training's) and runtime; null when none or stale. */
  'estimate.calibration': { input: CalibrationQuery, output: CpuCalibration.nullable() },
  /** The same run beside prompting, few-shot, RAG (with a corpus), P-tuning and full fine-tuning: memory, time, cost, per request. */
  'estimate.alternatives': { input: EstimateAlternativesInput, output: EstimateAlternativesOutput },
  /** A model's shape (a catalog name or a model folder with config.json): the Adapter wizard counts parameters from it. */
  'models.spec': { input: z.object({ model: z.string().trim().min(1) }).strict(), output: ModelSpecInfo },
  /** Starts an `init-check` job: the model folder's loss without and with a fresh adapter (B = 0), which must be equal. */
  'adapter.initCheck': {
    input: TrainStartInput.pick({ rank: true, alpha: true, targets: true, lora_init: true, use_rslora: true, use_dora: true, seed: true }).extend({ model: z.string().trim().min(1) }).strict(),
    output: Job,
  },
  /** The init-check job's state and, once it completed, what it found. */
  'adapter.initCheckResult': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ state: JobState, reason: z.string().nullable(), result: InitCheckResult.nullable() }),
  },
  /** Starts one `score` job per shot count: the base model's answer loss on the eval version, zero-shot and k-shot. */
  'estimate.baseline': { input: BaselineInput, output: BaselineStarted },
  /** Per shot count: state, mean answer loss given the prompt, perplexity, records scored. */
  'estimate.baselineResult': { input: z.object({ jobIds: z.array(z.string().min(1)).min(1).max(8) }).strict(), output: BaselineResult },
  /** The Precision wizard's trial: short emulated runs in fp32 and the chosen precision, without and (fp16) with loss scaling. */
  'precision.dryRun': { input: DryRunInput, output: DryRunStarted },
  /** Per trial run: state, losses and gap to fp32, overflow/skipped steps, loss scale, gradient range shares; and the verdict. */
  'precision.dryRunResult': { input: z.object({ jobIds: z.array(z.string().min(1)).min(1).max(3) }).strict(), output: DryRunResult },
  /** The cleaning operators: name, what they do, defaults and parameter schema. */
  'data.ops': { input: Empty, output: z.array(OperatorInfo) },
  'data.list': { input: Empty, output: z.array(Dataset) },
  'data.get': { input: z.object({ name: z.string().min(1) }).strict(), output: Dataset },
  /** Imports files/folders as a new dataset (version 1); long: follow `data.progress` with the taskId, stop with data.cancel. */
  'data.import': { input: ImportInput, output: ImportOutput },
  'data.cancel': { input: z.object({ taskId: z.string().min(1) }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** A page of a version's records; `search` matches any text of the record (case-insensitive). */
  'data.records': {
    input: z.object({
      versionId: z.string().min(1), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100),
      search: z.string().max(500).optional(),
      filter: RecordFilter.optional(),
    }).strict(),
    output: z.object({ total: z.number().int(), rows: z.array(StoredRecord) }),
  },
  /** The source files (or mixed-in datasets) of a version with their record counts: the table's source filter. */
  'data.sources': {
    input: z.object({ versionId: z.string().min(1) }).strict(),
    output: z.array(z.object({ source: z.string(), count: z.number().int() })),
  },
  /** What one operator would do to the first `sample` records of a version: counts and before/after samples. */
  'data.preview': {
    input: z.object({
      versionId: z.string().min(1), step: RecipeStep, sample: z.number().int().min(1).max(100_000).default(2000), modelPath: z.string().min(1).optional(),
    }).strict(),
    output: PreviewOutput,
  },
  /** Runs a recipe over a version; the result is a new version (nothing is deleted: see data.changes / data.restore). */
  'data.clean': {
    input: z.object({
      taskId: z.string().min(1).optional(), versionId: z.string().min(1), recipe: Recipe,
      /** A model folder whose tokenizer counts tokens for length_limits' token limits. */
      modelPath: z.string().min(1).optional(),
    }).strict(),
    output: CleanOutput,
  },
  /** The records a clean version removed or changed, with operator, reason and the text before. */
  'data.changes': {
    input: z.object({
      versionId: z.string().min(1), operator: z.string().optional(), action: ChangeAction.optional(),
      offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100),
    }).strict(),
    output: z.object({
      total: z.number().int(),
      rows: z.array(RecordChange),
      byOperator: z.array(z.object({ step: z.number().int(), operator: z.string(), removed: z.number().int(), changed: z.number().int(), restored: z.number().int() })),
    }),
  },
  /** The duplicate clusters a clean version's dedup steps found, largest first: each kept record with its removed copies. */
  'data.duplicates': {
    input: z.object({ versionId: z.string().min(1), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(20) }).strict(),
    output: z.object({ total: z.number().int(), clusters: z.array(DuplicateCluster) }),
  },
  /** Puts records back into a clean version as they were before it: one record (idx) or all an operator touched. */
  'data.restore': {
    input: z.object({ versionId: z.string().min(1), idx: z.number().int().optional(), operator: z.string().optional() }).strict(),
    output: z.object({ restored: z.number().int(), dataset: Dataset }),
  },
  /** Undoes a whole version: it is kept (state undone) and its parent becomes current again. */
  'data.undo': { input: z.object({ versionId: z.string().min(1) }).strict(), output: Dataset },
  /** Counts, histograms, languages, verbs and objects, topic clusters and complexity of a version (kept once made). */
  'data.analyze': {
    input: z.object({
      taskId: z.string().min(1).optional(), versionId: z.string().min(1),
      /** A model folder whose tokenizer gives the token histogram. */
      modelPath: z.string().min(1).optional(),
      topics: z.number().int().min(2).max(50).default(8), seed: z.number().int().default(0), refresh: z.boolean().default(false),
    }).strict(),
    output: DatasetAnalysis,
  },
  /**
   * Starts a `score` job: the model's forward pass over every record of the version gives answer_loss_given_prompt,
   * answer_loss, ifd (their ratio) and ppl; when the job completes they are stored for the score filter.
   */
  'data.score': {
    input: z.object({
      versionId: z.string().min(1), modelPath: z.string().min(1),
      maxSeqLen: z.number().int().min(8).max(131_072).optional(), threads: z.number().int().min(1).max(256).optional(),
    }).strict(),
    output: Job,
  },
  /** The scores a version's records have (its own or inherited from the version it was cleaned from). */
  'data.scores': {
    input: z.object({ versionId: z.string().min(1) }).strict(),
    output: z.object({ names: z.array(z.object({ name: z.string(), count: z.number().int(), min: z.number(), median: z.number(), max: z.number() })) }),
  },
  /** Mixes versions with target ratios into a new dataset (and an eval split stratified by source). */
  'data.mix': { input: MixInput, output: z.object({ dataset: Dataset, eval: Dataset.nullable() }) },
  /** Writes a version as JSONL (OpenAI messages, Alpaca or ShareGPT) with its data card (README.md) beside it. */
  'data.export': {
    input: z.object({
      versionId: z.string().min(1), path: z.string().min(1), format: ExportFormat.default('openai'),
      /** An existing file at `path` is replaced only when this is true (keeping its permissions); else 'conflict'. */
      overwrite: z.boolean().default(false),
    }).strict(),
    output: z.object({ path: z.string(), cardPath: z.string(), records: z.number().int() }),
  },
} as const;

export const events = {
  'job.updated': Job,
  'job.progress': JobProgressEvent,
  'job.log': JobLogEvent,
  'job.metrics': JobMetricsEvent,
  'data.progress': DataProgressEvent,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** The typed client every front end uses; transports implement it. */
export interface ApiClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
}

/** The channel names of the Electron transport (kept here so preload and main cannot drift apart). */
export const IPC_INVOKE_PREFIX = 'ftstudio:call:';
export const IPC_EVENT_CHANNEL = 'ftstudio:event';
/** The path of the WebSocket in serve mode. */
export const WS_PATH = '/api';

/** What the preload exposes as `window.ftstudio`: one function per method (replies as envelopes, because
 * Electron's contextBridge drops the fields of thrown errors) and a subscription to the contract's events. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; details?: unknown } };
export type PreloadBridge = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<CallResult<MethodOutput<M>>>;
} & {
  onEvent(event: EventName, handler: (payload: unknown) => void): () => void;
  /** Where a file dropped on the window lives (a DOM File; typed unknown because common knows no DOM). */
  pathForFile(file: unknown): string;
};
