// The adapter library's rows: the adapters (and fully fine-tuned models) of finished training runs, grouped by base
// model, from the jobs the app knows (job params: model, method and settings; the run folder's metrics: final and eval loss).
import type { Job } from '../../../../src-main/common/jobs';
import { LORA_METHODS, TRAIN_METHODS, type TrainMethod, type TrainStartInput } from '../../../../src-main/common/train';
import { METHOD_INFO } from '../../../../src-main/common/adapter-methods';
import type { MetricsRow } from '../train/loss-series';

export interface AdapterEntry {
  jobId: string;
  baseModel: string;
  method: TrainMethod;
  /** The adapter's type in a few words: "LoRA · r 8", "P-tuning · 20 tokens, MLP". */
  kind: string;
  /** The tokenized training data inside the run folder (the source file is recorded in the run's run.json). */
  data: string | null;
  finalLoss: number | null;
  evalLoss: number | null;
  /**
   * Where the trainer saves the result: <run folder>/adapter (a PEFT adapter) for the adapter methods, <run folder>/model
   * (a whole model folder, loadable on its own) for full fine-tuning.
   */
  resultDir: string;
  /** False for full fine-tuning: the result is a model, not an adapter to put on the base model. */
  isAdapter: boolean;
  endedAt: string | null;
}

export interface AdapterGroup { baseModel: string; entries: AdapterEntry[] }

type Params = Record<string, unknown>;
const obj = (v: unknown): Params => (v && typeof v === 'object' ? (v as Params) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The last value of a metric in the run's rows (train rows carry loss, eval rows eval_loss). */
export function lastMetric(rows: readonly MetricsRow[] | undefined, key: 'loss' | 'eval_loss'): number | null {
  for (let i = (rows?.length ?? 0) - 1; i >= 0; i--) {
    const v = rows![i][key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/** A run folder's result subfolder (adapter/, or model/ for full fine-tuning) with the folder's own separator (Windows paths stay Windows paths). */
export function resultDirOf(runDir: string, method: TrainMethod = 'lora'): string {
  const sep = runDir.includes('\\') && !runDir.includes('/') ? '\\' : '/';
  return `${runDir.replace(/[\\/]+$/, '')}${sep}${method === 'full' ? 'model' : 'adapter'}`;
}

function methodOf(p: Params): TrainMethod {
  return (TRAIN_METHODS as readonly string[]).includes(p.method as string) ? (p.method as TrainMethod) : 'lora';
}

export function kindOf(p: Params): string {
  const method = methodOf(p);
  const lora = obj(p.lora);
  const prompt = obj(p.prompt);
  const title = METHOD_INFO[method].title;
  if (LORA_METHODS.includes(method)) {
    const r = num(lora.r) ?? 0;
    const extras = [lora.useDora ? 'DoRA' : null, lora.useRslora ? 'rsLoRA' : null].filter(Boolean).join(', ');
    const rank = method === 'plora' && num(p.stages) ? `r ${r} × ${p.stages} stages = ${r * (num(p.stages) ?? 1)}` : `r ${r}`;
    return `${title} · ${rank}${extras ? ` · ${extras}` : ''}`;
  }
  if (method === 'ptuning' || method === 'prefix') {
    const enc = str(prompt.encoder);
    return `${title} · ${num(prompt.virtualTokens) ?? '?'} tokens${enc && enc !== 'none' ? `, ${enc.toUpperCase()}` : ''}`;
  }
  return `${title} · whole model`;
}

/** The settings a run was started with, as the Train page's keys: "train again like this". */
export function runTrainInput(job: Job): Partial<TrainStartInput> {
  const p = job.params;
  const method = methodOf(p);
  const lora = obj(p.lora);
  const prompt = obj(p.prompt);
  const guards = obj(p.guards);
  const targets = lora.targets === 'all-linear' || Array.isArray(lora.targets) ? (lora.targets as TrainStartInput['targets']) : undefined;
  const out: Partial<TrainStartInput> = { ...(method === 'lora' ? {} : { method }), lr: num(p.lr), model: str(p.modelDir) };
  if (LORA_METHODS.includes(method)) {
    Object.assign(out, {
      rank: num(lora.r), alpha: num(lora.alpha), targets, dropout: num(lora.dropout) || undefined,
      use_rslora: lora.useRslora === true || undefined, use_dora: lora.useDora === true || undefined,
      loraplus_ratio: method === 'lora_plus' ? num(p.loraPlusRatio) : undefined, stages: method === 'plora' ? num(p.stages) : undefined,
    });
  } else if (method === 'ptuning' || method === 'prefix') {
    Object.assign(out, { virtual_tokens: num(prompt.virtualTokens), encoder: str(prompt.encoder), encoder_hidden: num(prompt.encoderHidden) });
  } else {
    Object.assign(out, {
      weight_decay: num(p.weightDecay), l2sp_lambda: num(guards.l2spLambda) || undefined, ewc_lambda: num(guards.ewcLambda) || undefined,
      ewc_data: str(guards.ewcData), ewc_samples: guards.ewcLambda ? num(guards.ewcSamples) : undefined,
    });
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<TrainStartInput>;
}

/** Completed training runs only: a failed or cancelled run's adapter folder holds no final adapter. */
export function adapterEntry(job: Job, rows?: readonly MetricsRow[]): AdapterEntry | null {
  if (job.kind !== 'train' || job.state !== 'completed' || !job.runDir) return null;
  const p = job.params;
  const method = methodOf(p);
  return {
    jobId: job.id, baseModel: str(p.modelDir) ?? '(unknown model)', method, kind: kindOf(p), data: str(p.trainData) ?? null,
    finalLoss: lastMetric(rows, 'loss'), evalLoss: lastMetric(rows, 'eval_loss'), resultDir: resultDirOf(job.runDir, method), isAdapter: method !== 'full',
    endedAt: job.endedAt,
  };
}

/** Grouped by base model (alphabetical), newest adapter first in each group. */
export function adapterLibrary(jobs: readonly Job[], metrics: Readonly<Record<string, readonly MetricsRow[]>>): AdapterGroup[] {
  const groups = new Map<string, AdapterEntry[]>();
  for (const job of jobs) {
    const entry = adapterEntry(job, metrics[job.id]);
    if (!entry) continue;
    groups.set(entry.baseModel, [...(groups.get(entry.baseModel) ?? []), entry]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([baseModel, entries]) => ({ baseModel, entries: entries.sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? '')) }));
}
