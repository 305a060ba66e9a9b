// Schemas of datasets, their versions, records, cleaning recipes and the data API's inputs and outputs.
import { z } from 'zod';

export const DataFormatOption = z.enum(['auto', 'alpaca', 'sharegpt', 'openai', 'text']);
export type DataFormatOption = z.infer<typeof DataFormatOption>;
export const ExportFormat = z.enum(['openai', 'alpaca', 'sharegpt']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const Role = z.enum(['user', 'assistant', 'tool']);
export const Message = z.object({ role: Role, content: z.string() });
export const Conversation = z.object({
  messages: z.array(Message),
  system: z.string().optional(),
  tools: z.array(z.unknown()).optional(),
});
export type ConversationDto = z.infer<typeof Conversation>;

/** Where a dataset comes from and what its license allows (travels with the data into the exported data card). */
export const DatasetLicense = z.object({
  spdx: z.string().max(100).nullable().default(null), // e.g. "Apache-2.0", "CC-BY-NC-4.0"
  sourceUrl: z.string().max(2000).nullable().default(null),
  commercialUse: z.boolean().nullable().default(null), // null = unknown
});
export type DatasetLicense = z.infer<typeof DatasetLicense>;

export const VersionKind = z.enum(['import', 'clean', 'mix', 'split']);
/** importing = being written (invisible, removed if the import fails); undone = kept but no longer current. */
export const VersionState = z.enum(['importing', 'ready', 'undone']);

export const DatasetVersion = z.object({
  id: z.string(),
  datasetId: z.string(),
  version: z.number().int(),
  parentVersionId: z.string().nullable(),
  kind: VersionKind,
  state: VersionState,
  recipe: z.string().nullable(), // YAML of the recipe that produced a clean version
  recordCount: z.number().int(),
  createdAt: z.string(),
  note: z.string().nullable(),
});
export type DatasetVersion = z.infer<typeof DatasetVersion>;

export const Dataset = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  license: DatasetLicense,
  createdAt: z.string(),
  currentVersion: DatasetVersion.nullable(),
  versions: z.array(DatasetVersion),
});
export type Dataset = z.infer<typeof Dataset>;

export const ImportProblem = z.object({ file: z.string(), line: z.number().int().nullable(), reason: z.string() });
export const ImportedFile = z.object({
  file: z.string(), sha256: z.string(), format: z.string(), bytes: z.number(), rows: z.number().int(), skipped: z.number().int(),
});
export const ImportReport = z.object({
  files: z.array(ImportedFile),
  records: z.number().int(),
  skipped: z.number().int(),
  /** The first 100 skipped rows with their reasons. */
  problems: z.array(ImportProblem),
  seconds: z.number(),
});
export type ImportReport = z.infer<typeof ImportReport>;

const TaskId = z.string().min(1).max(100).optional(); // chosen by the caller so it can cancel and follow progress

/**
 * What a dataset name cannot hold besides @, / and \ (they address versions and files): control characters (NUL and
 * the rest of C0, DEL, C1), line and paragraph separators, and the bidirectional controls that make a name read
 * differently from what it is.
 */
const NAME_CONTROL = /[\p{Cc}\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** A dataset's name, as given to an import or a mix. */
export const DatasetName = z.string().trim().min(1).max(200)
  .regex(/^[^@/\\]+$/, 'a dataset name cannot contain @, / or \\')
  .superRefine((name, ctx) => {
    const found = NAME_CONTROL.exec(name);
    if (!found) return;
    const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    ctx.addIssue({ code: 'custom', message: `a dataset name cannot contain control characters (U+${code} at character ${[...name.slice(0, found.index)].length + 1})` });
  });

export const ImportInput = z.object({
  taskId: TaskId,
  /** Files or folders (folders: every .jsonl/.json/.csv/.tsv/.parquet inside, sorted). */
  paths: z.array(z.string().min(1)).min(1),
  name: DatasetName,
  format: DataFormatOption.default('auto'),
  /**
   * The column-mapping step: which column of the files holds each field a format reads, e.g. {instruction: "question",
   * output: "answer"} or {messages: "dialog"}. Fields: instruction, input, output, system, history, messages,
   * conversations, tools, text.
   */
  columns: z.partialRecord(z.enum(['instruction', 'input', 'output', 'system', 'history', 'messages', 'conversations', 'tools', 'text']), z.string().min(1)).default({}),
  /** Skip rows that cannot be read (listed in the report) instead of failing the whole import. */
  skipBadRows: z.boolean().default(false),
  description: z.string().max(5000).nullable().default(null),
  license: DatasetLicense.default({ spdx: null, sourceUrl: null, commercialUse: null }),
}).strict();
export type ImportInput = z.input<typeof ImportInput>;

export const ImportOutput = z.object({ dataset: Dataset, report: ImportReport });

/** One recipe step: an operator by name and its parameters (the operator's defaults fill the rest). */
export const RecipeStep = z.object({ op: z.string().min(1), params: z.record(z.string(), z.unknown()).default({}) });
export type RecipeStep = z.infer<typeof RecipeStep>;
export const Recipe = z.object({ name: z.string().optional(), steps: z.array(RecipeStep) });
export type Recipe = z.infer<typeof Recipe>;

export const OperatorInfo = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  group: z.string(),
  defaults: z.record(z.string(), z.unknown()),
  /** JSON Schema of the parameters (the recipe builder draws its fields from it). */
  schema: z.record(z.string(), z.unknown()),
  needs: z.array(z.string()),
});
export type OperatorInfo = z.infer<typeof OperatorInfo>;

export const ChangeAction = z.enum(['removed', 'changed']);
export const RecordChange = z.object({
  idx: z.number().int(),
  step: z.number().int(),
  operator: z.string(),
  action: ChangeAction,
  reason: z.string(),
  duplicateOf: z.number().int().nullable(),
  before: Conversation,
  after: Conversation.nullable(),
  restoredAt: z.string().nullable(),
});
export type RecordChange = z.infer<typeof RecordChange>;

export const StoredRecord = Conversation.extend({
  idx: z.number().int(),
  sourceFile: z.string().nullable(),
  sourceRow: z.number().int().nullable(),
  source: z.string().nullable(),
});
export type StoredRecord = z.infer<typeof StoredRecord>;

export const PreviewOutput = z.object({
  examined: z.number().int(),
  kept: z.number().int(),
  removed: z.number().int(),
  changed: z.number().int(),
  samples: z.array(z.object({ idx: z.number().int(), action: z.enum(['removed', 'changed']), reason: z.string(), before: Conversation, after: Conversation.nullable() })),
});
export type PreviewOutput = z.infer<typeof PreviewOutput>;

export const StepSummary = z.object({ step: z.number().int(), op: z.string(), removed: z.number().int(), changed: z.number().int() });
export const CleanOutput = z.object({
  dataset: Dataset,
  version: DatasetVersion,
  steps: z.array(StepSummary),
  examined: z.number().int(),
  seconds: z.number(),
});
export type CleanOutput = z.infer<typeof CleanOutput>;

export const MixSource = z.object({ versionId: z.string().min(1), ratio: z.number().positive() });
export const MixInput = z.object({
  taskId: TaskId,
  name: DatasetName,
  sources: z.array(MixSource).min(1),
  /** Records in the mix; by default the largest total the ratios allow without repeating a record. */
  total: z.number().int().positive().optional(),
  seed: z.number().int().default(42),
  /** Fraction held out as the eval split, stratified by source. 0 = no split. */
  evalFraction: z.number().min(0).max(0.5).default(0),
}).strict();
export type MixInput = z.input<typeof MixInput>;

export const DataProgressEvent = z.object({
  taskId: z.string(),
  phase: z.string(), // "reading data.jsonl", "cleaning", "writing version"
  done: z.number(),
  total: z.number().nullable(),
  unit: z.string(), // rows, bytes
  ratePerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  /** Records handled so far and per second (an import measures progress in bytes but people think in rows). */
  records: z.number().nullable().default(null),
  recordsPerSecond: z.number().nullable().default(null),
});
export type DataProgressEvent = z.infer<typeof DataProgressEvent>;

/** A kept record and the records dedup removed as its copies (the duplicate-cluster browser). */
export const DuplicateCluster = z.object({
  keptIdx: z.number().int(),
  kept: Conversation.nullable(), // null if the kept record is itself gone from the parent (not expected)
  /** How many copies the cluster has; `duplicates` lists the first 100 of them. */
  copies: z.number().int(),
  duplicates: z.array(z.object({ idx: z.number().int(), operator: z.string(), reason: z.string(), record: Conversation, restoredAt: z.string().nullable() })),
});
export type DuplicateCluster = z.infer<typeof DuplicateCluster>;

/** Filters of the record table besides the text search (all optional, combined with AND). */
export const RecordFilter = z.object({
  /** Records with at least / at most this many messages (user, assistant and tool turns). */
  minTurns: z.number().int().min(0).optional(),
  maxTurns: z.number().int().min(0).optional(),
  hasSystem: z.boolean().optional(),
  /** Only records read from this source file (or mixed from this source dataset). */
  sourceFile: z.string().max(4000).optional(),
}).strict();
export type RecordFilter = z.infer<typeof RecordFilter>;
