// `ftstudio train`: resolves the config, prepares the run folder, runs the 'train' job in an engine process and reports it.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JobLogEvent, JobMetricsEvent, JobProgressEvent, Job } from '../../common/jobs';
import type { TrainJobParams } from '../../common/train';
import { NodeLauncher } from '../../jobs/node-launcher';
import { JobSupervisor } from '../../jobs/supervisor';
import { EventHub } from '../../services/api-dispatch';
import { defaultHome, homeLayout } from '../../services/paths';
import { ConfigError, discardUnstartedRun, flagOf, precisionNotes, prepareRun, readRunInfo, resolveTrainConfig, TRAIN_KEYS, trainFlagOptions, type PrecisionRecord } from '../../services/train';
import { DetachedJournal } from '../detached-journal';
import { openStoreOrExplain } from '../store-access';
import { CliError, type CliContext } from '../output';

export type FlagValues = Record<string, string | boolean | undefined>;

export const TRAIN_OPTIONS = { config: { type: 'string' }, resume: { type: 'string' }, ...trainFlagOptions() } as const;

const stamp = (d = new Date()) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export function formatDuration(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

interface RunSummary { run_dir: string; steps: number; final_loss: number | null; eval_loss: number | null; adapter_dir: string | null }

/** The outcome as the run folder has it (the truth, also after a resume): the last train and eval rows of metrics.jsonl. */
export function summarizeRun(runDir: string): RunSummary {
  let steps = 0;
  let finalLoss: number | null = null;
  let evalLoss: number | null = null;
  const file = join(runDir, 'metrics.jsonl');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const row = JSON.parse(line) as { step?: number; loss?: number; eval_loss?: number };
        if (typeof row.loss === 'number') [steps, finalLoss] = [row.step ?? steps, row.loss];
        if (typeof row.eval_loss === 'number') evalLoss = row.eval_loss;
      } catch {
        // a torn last line after a crash
      }
    }
  }
  const adapter = join(runDir, 'adapter');
  return { run_dir: runDir, steps, final_loss: finalLoss, eval_loss: evalLoss, adapter_dir: existsSync(join(adapter, 'adapter_config.json')) ? adapter : null };
}

/** One readable line per optimizer step (printed when its progress arrives, which carries the ETA) and per eval. */
function progressPrinter(ctx: CliContext, totalSteps: number) {
  let last: JobMetricsEvent | null = null;
  return (name: string, payload: unknown) => {
    if (name === 'job.metrics') {
      const m = payload as JobMetricsEvent;
      if (m.values.eval_loss !== undefined) ctx.stdout(`eval  step ${m.step}  eval_loss ${m.values.eval_loss.toFixed(4)}  ppl ${(m.values.eval_ppl ?? Math.exp(m.values.eval_loss)).toFixed(2)}`);
      else last = m;
    } else if (name === 'job.progress' && last) {
      const p = payload as JobProgressEvent;
      const v = last.values;
      ctx.stdout([
        `step ${last.step}/${totalSteps}`, `loss ${v.loss?.toFixed(4) ?? '?'}`, `lr ${v.lr?.toExponential(2) ?? '?'}`,
        `${Math.round(v.tokens_per_s ?? 0)} tok/s`, `ETA ${formatDuration(p.etaSeconds)}`,
      ].join('  '));
      last = null;
    } else if (name === 'job.log') {
      const l = payload as JobLogEvent;
      if (l.level !== 'debug') (l.level === 'info' ? ctx.stdout : ctx.stderr)(`  ${l.level === 'info' ? '·' : l.level}: ${l.text}`);
    }
  };
}

/** What to run: a fresh run prepared from the config, or the run folder of --resume with its own params. */
interface PlannedRun { outDir: string; params: TrainJobParams; warnings: string[]; precision: PrecisionRecord | null }

async function planRun(ctx: CliContext, values: FlagValues, home: string): Promise<PlannedRun> {
  if (typeof values.resume === 'string') {
    const extra = [...(values.config !== undefined ? ['config'] : []), ...TRAIN_KEYS.filter((k) => values[flagOf(k)] !== undefined).map(flagOf)];
    if (extra.length) throw new CliError(`--resume continues a run with the settings in its run.json; drop ${extra.map((f) => `--${f}`).join(', ')}.`, 2);
    const outDir = resolve(values.resume);
    const info = readRunInfo(outDir);
    return { outDir, params: info.params, warnings: [], precision: info.precision ?? null };
  }
  let config;
  try {
    config = resolveTrainConfig({
      configFile: typeof values.config === 'string' ? values.config : undefined,
      flags: values,
      defaultOut: () => join(homeLayout(home).runs, `train-${stamp()}`),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
  const prepared = await prepareRun(config);
  const notes = precisionNotes(config, prepared.execution);
  prepared.warnings.push(...notes.warnings);
  if (!ctx.json) {
    const d = prepared.info.data;
    ctx.stdout(`Run folder  ${prepared.outDir}`);
    ctx.stdout(`Data        ${d.train.examples} examples, ${d.train.tokens} tokens (${d.train.trainedTokens} trained)${d.eval ? `; eval ${d.eval.examples} examples` : ''}`);
    ctx.stdout(`Steps       ${prepared.params.steps} optimizer steps (batch ${config.batch_size} × grad-accum ${config.grad_accum})`);
    for (const line of notes.info) ctx.stdout(`Precision   ${line}`);
    for (const w of prepared.warnings) ctx.stderr(`warning: ${w}`);
  }
  return { ...prepared, precision: prepared.info.precision ?? null };
}

export async function train(ctx: CliContext, values: FlagValues): Promise<number> {
  const home = defaultHome();
  const layout = homeLayout(home);
  // The store first: if another process holds it, nothing is written to the run folder. It is not held during the run:
  // the journal opens it briefly at the job's start, checkpoints and outcome (detached-journal.ts).
  await (await openStoreOrExplain(home, 'ftstudio train')).close();
  const journal = new DetachedJournal(home);
  const hub = new EventHub();
  // With --json stdout carries one document only, so the engine's own output must not reach it.
  const supervisor = new JobSupervisor({ jobs: journal, launcher: new NodeLauncher({ stdio: ctx.json ? 'ignore' : 'inherit' }), hub, runsDir: layout.runs });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  let onSignal: (() => void) | null = null;
  let runFolder: string | null = null;
  try {
    const { outDir, params, warnings, precision } = await planRun(ctx, values, home);
    runFolder = outDir;
    if (!ctx.json) hub.subscribe(progressPrinter(ctx, params.steps));
    const started = await supervisor.start('train', params as unknown as Record<string, unknown>, { runDir: outDir });
    let cancels = 0;
    onSignal = () => {
      if (cancels++ === 0) {
        ctx.stderr(`Stopping after the current step; a checkpoint is saved (resume with: ftstudio train --resume ${outDir}). Press Ctrl+C again to quit at once.`);
        void supervisor.cancel(started.id);
      } else {
        process.exit(130); // the engine notices its parent is gone and stops on its own
      }
    };
    for (const s of signals) process.on(s, onSignal);
    const job: Job = (await supervisor.whenSettled(started.id)) ?? started;
    const summary = summarizeRun(outDir);
    if (job.state === 'failed' && summary.steps === 0 && typeof values.resume !== 'string') {
      discardUnstartedRun(outDir, firstLine(job.reason ?? 'training failed before its first step'));
    }
    return report(ctx, job, summary, warnings, precision);
  } finally {
    if (onSignal) for (const s of signals) process.off(s, onSignal);
    await supervisor.shutdown();
    await journal.flush();
    if (journal.blockedBy !== null) {
      ctx.stderr(`warning: another Finetune Studio process (PID ${journal.blockedBy}) holds the data folder ${home}, so the app's job list does not show this run's last state yet; the run folder ${runFolder ?? ''} holds all of it.`);
    }
  }
}

/** The engine reports errors with their stack; a person needs the first line (the stack stays in the job's journal). */
function firstLine(reason: string): string {
  return reason.replace(/^Error: /, '').split('\n')[0];
}

function report(ctx: CliContext, job: Job, summary: RunSummary, warnings: string[], precision: PrecisionRecord | null): number {
  const code = job.state === 'completed' ? 0 : job.state === 'cancelled' ? 130 : 1;
  const why = job.state === 'completed' ? null
    : job.state === 'cancelled' ? `cancelled at step ${summary.steps}; continue with: ftstudio train --resume ${summary.run_dir}`
      : `training ${job.state}: ${firstLine(job.reason ?? 'no reason recorded')}`;
  if (ctx.json) {
    ctx.stdout(JSON.stringify({ ...summary, state: job.state, job_id: job.id, warnings, ...(precision ? { precision } : {}), ...(why && code !== 0 ? { error: { message: why } } : {}) }, null, 2));
    return code;
  }
  if (why) ctx.stderr(`ftstudio: ${why}`);
  else {
    ctx.stdout(`Done: ${summary.steps} steps, final loss ${summary.final_loss?.toFixed(4) ?? '?'}${summary.eval_loss != null ? `, eval loss ${summary.eval_loss.toFixed(4)}` : ''}.`);
    ctx.stdout(`Adapter     ${summary.adapter_dir ?? '(none written)'}`);
    ctx.stdout(`Merge it    ftstudio export --run ${summary.run_dir} --merged DIR`);
  }
  return code;
}
