// Resolves a training config: run.yaml, then flags over it (a flag wins), validated; errors name the key and what it expects.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import { ApiError } from '../../common/errors';
import { LORA_METHODS, type TrainMethod } from '../../common/train';
import { defaultLossScale, EXPECTED, methodDefaults, TRAIN_DEFAULTS, TRAIN_KEYS, TrainConfigInput, type TrainConfig, type TrainKey } from './config-schema';

/** A config the user must fix; `issues` lists one sentence per problem. */
export class ConfigError extends ApiError {
  constructor(readonly issues: string[]) {
    super('invalid-input', `Invalid training config: ${issues.join('; ')}`, { issues });
    this.name = 'ConfigError';
  }
}

const NUMBER_KEYS = new Set<TrainKey>([
  'loraplus_ratio', 'rank', 'alpha', 'dropout', 'lr', 'weight_decay', 'eps', 'momentum', 'max_grad_norm', 'warmup_steps', 'batch_size',
  'grad_accum', 'steps', 'epochs', 'max_seq_len', 'seed', 'eval_every', 'save_every', 'threads', 'telemetry_every', 'fp8_margin', 'fp8_amax_history',
  'stages', 'virtual_tokens', 'encoder_hidden', 'l2sp_lambda', 'ewc_lambda', 'ewc_samples', 'early_stopping',
]);
const BOOLEAN_KEYS = new Set<TrainKey>(['shuffle', 'train_on_prompt', 'packing', 'truncate', 'emulate', 'use_rslora', 'use_dora']);
const PATH_KEYS = new Set<TrainKey>(['model', 'data', 'eval_data', 'init_adapter', 'out', 'ewc_data']);

/** Keys that only mean something with some methods: given with another, they would be silently ignored. */
export const METHOD_KEYS: Partial<Record<TrainKey, readonly TrainMethod[]>> = {
  loraplus_ratio: ['lora_plus'],
  stages: ['plora'],
  virtual_tokens: ['ptuning', 'prefix'],
  encoder: ['ptuning', 'prefix'],
  encoder_hidden: ['ptuning', 'prefix'],
  l2sp_lambda: ['full'],
  ewc_lambda: ['full'],
  ewc_data: ['full'],
  ewc_samples: ['full'],
  rank: LORA_METHODS, alpha: LORA_METHODS, targets: LORA_METHODS, lora_init: LORA_METHODS, dropout: LORA_METHODS,
  use_rslora: LORA_METHODS, use_dora: ['lora', 'lora_plus'], init_adapter: ['lora', 'lora_plus'],
};

/** The flag of a key: --eval-data for eval_data; shuffle is on by default, so its flag turns it off. */
export function flagOf(key: TrainKey): string {
  return key === 'shuffle' ? 'no-shuffle' : key.replaceAll('_', '-');
}

/** parseArgs option declarations for every key (booleans are bare flags, the rest take a value). */
export function trainFlagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(TRAIN_KEYS.map((k) => [flagOf(k), { type: BOOLEAN_KEYS.has(k) ? 'boolean' : 'string' }]));
}

const toNumber = (s: string): number | string => {
  const n = Number(s.trim());
  return s.trim() !== '' && Number.isFinite(n) ? n : s; // left a string, so the schema reports it with the key
};

/** A flag's text → the value the schema checks. */
function fromFlag(key: TrainKey, raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return key === 'shuffle' ? !raw : raw;
  if (NUMBER_KEYS.has(key) || key === 'loss_scale') return toNumber(raw); // loss_scale: dynamic | none stay words
  if (key === 'betas') return raw.split(',').map(toNumber);
  return raw;
}

/** Both sources may write targets as "q_proj,v_proj" or a single name; the schema wants a list or "all-linear". */
function normalizeTargets(value: unknown): unknown {
  if (typeof value !== 'string' || value === 'all-linear') return value;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function expandPath(value: unknown, base: string): unknown {
  if (typeof value !== 'string' || value === '') return value;
  const home = value === '~' || value.startsWith('~/') ? os.homedir() + value.slice(1) : value;
  return isAbsolute(home) ? home : resolve(base, home);
}

type Source = { kind: 'flag' } | { kind: 'form' } | { kind: 'yaml'; file: string };

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read the config file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ConfigError([`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([`${file} must be a mapping of keys to values (e.g. "lr: 2e-4"), not a ${Array.isArray(doc) ? 'list' : typeof doc}`]);
  return doc as Record<string, unknown>;
}

export interface ResolveOptions {
  /** run.yaml; its relative paths are taken from its own folder, so a config travels with its data. */
  configFile?: string;
  /** Values by key from a form (the app's Train page), between the YAML and the flags; relative paths from cwd. */
  values?: Record<string, unknown>;
  /** parseArgs values by flag name (--eval-data → 'eval-data'); relative paths are taken from cwd. */
  flags?: Record<string, string | boolean | undefined>;
  cwd?: string;
  defaultThreads?: number;
  /** Called only when neither YAML nor flags name an output folder. */
  defaultOut?: () => string;
}

/** YAML + flags → a checked config with defaults. Throws ConfigError listing every problem at once. */
export function resolveTrainConfig(options: ResolveOptions): TrainConfig {
  const cwd = options.cwd ?? process.cwd();
  const merged: Record<string, unknown> = {};
  const source = new Map<string, Source>();
  const issues: string[] = [];
  const fromFlags = new Map<TrainKey, unknown>();
  for (const key of TRAIN_KEYS) {
    const raw = options.flags?.[flagOf(key)];
    if (raw !== undefined) fromFlags.set(key, fromFlag(key, raw));
  }
  if (options.configFile) {
    const file = resolve(cwd, options.configFile);
    const yaml = readYaml(file);
    // A run length given as a flag replaces the YAML's, whichever of steps/epochs each used.
    const flagSetsLength = fromFlags.has('steps') || fromFlags.has('epochs');
    for (const [key, value] of Object.entries(yaml)) {
      if (!(TRAIN_KEYS as string[]).includes(key)) {
        const near = key.replaceAll('-', '_').toLowerCase();
        const hint = (TRAIN_KEYS as string[]).includes(near) ? `; did you mean "${near}"?` : `; known keys: ${TRAIN_KEYS.join(', ')}`;
        issues.push(`${basename(file)}: unknown key "${key}"${hint}`);
        continue;
      }
      if (flagSetsLength && (key === 'steps' || key === 'epochs')) continue;
      // A quoted number ("2e-4") or a YAML 1.1 reader's habits should not make a user fight the file.
      const v = (NUMBER_KEYS.has(key as TrainKey) || key === 'loss_scale') && typeof value === 'string' ? toNumber(value) : value;
      merged[key] = PATH_KEYS.has(key as TrainKey) ? expandPath(v, dirname(file)) : v;
      source.set(key, { kind: 'yaml', file: basename(file) });
    }
  }
  for (const [key, value] of Object.entries(options.values ?? {})) {
    if (value === undefined || value === null || value === '') continue; // an empty form field means "the default"
    if (!(TRAIN_KEYS as string[]).includes(key)) {
      issues.push(`unknown key "${key}"`);
      continue;
    }
    merged[key] = PATH_KEYS.has(key as TrainKey) ? expandPath(value, cwd) : value;
    source.set(key, { kind: 'form' });
  }
  for (const [key, value] of fromFlags) {
    merged[key] = PATH_KEYS.has(key) ? expandPath(value, cwd) : value;
    source.set(key, { kind: 'flag' });
  }
  if ('targets' in merged) merged.targets = normalizeTargets(merged.targets);

  const where = (key: string) => {
    const s = source.get(key);
    if (s?.kind === 'flag') return `--${flagOf(key as TrainKey)}`;
    return s?.kind === 'yaml' ? `${key} (in ${s.file})` : key;
  };
  const parsed = TrainConfigInput.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (!(key in EXPECTED)) {
        issues.push(issue.message);
        continue;
      }
      const value = merged[key];
      issues.push(`${where(key)}: expected ${EXPECTED[key as TrainKey]}, got ${JSON.stringify(value)}`);
    }
  }
  for (const key of ['model', 'data'] as const) {
    if (merged[key] === undefined) issues.push(`${key} is required: ${EXPECTED[key]}; pass --${key} or set "${key}:" in the config file`);
  }
  if (merged.steps !== undefined && merged.epochs !== undefined) {
    issues.push(`give either steps or epochs, not both (steps from ${where('steps')}, epochs from ${where('epochs')})`);
  }
  // A setting of another method would be silently ignored; say so rather than let a user believe it took effect.
  const method = (merged.method ?? TRAIN_DEFAULTS.method) as TrainMethod;
  for (const [key, methods] of Object.entries(METHOD_KEYS) as [TrainKey, readonly TrainMethod[]][]) {
    if (merged[key] === undefined || merged[key] === false || methods.includes(method)) continue;
    const fix = source.get('method')?.kind === 'flag' || source.get(key)?.kind === 'flag' ? `--method ${methods[0]}` : `method: ${methods[0]}`;
    issues.push(`${where(key)} applies only with method ${methods.join(' or ')} (method is ${JSON.stringify(method)}); set ${fix} or remove it`);
  }
  if (method === 'prefix' && merged.encoder === 'lstm') issues.push(`${where('encoder')}: prefix tuning takes mlp (PEFT's prefix_projection) or none, not lstm`);
  if (Number(merged.early_stopping ?? 0) > 0 && merged.eval_data === undefined) issues.push(`${where('early_stopping')} needs eval_data: it stops on the eval loss`);
  if (issues.length) throw new ConfigError([...new Set(issues)]);
  const c = parsed.data!;
  const lengthGiven = c.steps !== undefined || c.epochs !== undefined;
  const precision = c.precision ?? TRAIN_DEFAULTS.precision;
  return {
    ...TRAIN_DEFAULTS,
    betas: [...TRAIN_DEFAULTS.betas],
    threads: options.defaultThreads ?? Math.min(256, Math.max(1, os.availableParallelism())),
    ...methodDefaults(c.method ?? TRAIN_DEFAULTS.method),
    ...c,
    targets: c.targets ?? TRAIN_DEFAULTS.targets,
    encoder_hidden: c.encoder_hidden ?? null,
    ewc_data: c.ewc_data ?? null,
    model: c.model!,
    data: c.data!,
    eval_data: c.eval_data ?? null,
    init_adapter: c.init_adapter ?? null,
    out: c.out ?? resolve(cwd, options.defaultOut ? options.defaultOut() : 'ftstudio-run'),
    steps: c.steps ?? null,
    epochs: c.epochs ?? (lengthGiven ? null : TRAIN_DEFAULTS.epochs),
    max_seq_len: c.max_seq_len ?? null,
    precision,
    loss_scale: c.loss_scale ?? defaultLossScale(precision),
  };
}

/** Optimizer steps of a run given in epochs: every epoch sees ceil(examples / batch) micro-batches. */
export function stepsForEpochs(epochs: number, examples: number, batchSize: number, gradAccum: number): number {
  const microBatches = Math.ceil(examples / batchSize);
  // The tolerance keeps float noise (0.1 × 30 = 3.0000000000000004) from adding a step.
  return Math.max(1, Math.ceil((epochs * microBatches) / gradAccum - 1e-9));
}
