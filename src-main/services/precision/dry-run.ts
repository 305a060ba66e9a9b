// The Precision wizard's dry run: the same model and data trained for a few steps in fp32 (the reference), in the chosen
// low precision without loss scaling and, for fp16, with dynamic loss scaling; all through the Train page's path, with
// range telemetry on, and all emulated on the CPU (the engine rounds to fp16/bf16 bit-exactly, engine/nn/precision.ts).
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { ApiError } from '../../common/errors';
import type { Job } from '../../common/jobs';
import type { DryRunParsed, DryRunResult, DryRunStarted, DryRunVariant, DryRunVariantId, GradientShares } from '../../common/precision/dry-run';
import type { TrainStartInput } from '../../common/train';
import type { JobSupervisor } from '../../jobs/supervisor';
import { readRunMetrics, type MetricsRow } from '../run-metrics';
import { readRunTelemetry } from '../run-telemetry';
import { startTrainingFromApp } from '../train/start-from-app';
import { dryRunVerdict } from './verdict';

export const DRY_RUN_PREFIX = 'dryrun-';

interface Plan { variant: DryRunVariantId; precision: 'fp32' | 'fp16' | 'bf16'; loss_scale: 'none' | 'dynamic' }

/** bf16 gets no scaled run: its exponent range is fp32's, so there are no small gradients for a loss scale to lift. */
export function dryRunPlans(precision: 'fp16' | 'bf16'): Plan[] {
  const plans: Plan[] = [{ variant: 'reference', precision: 'fp32', loss_scale: 'none' }, { variant: 'unscaled', precision, loss_scale: 'none' }];
  if (precision === 'fp16') plans.push({ variant: 'scaled', precision, loss_scale: 'dynamic' });
  return plans;
}

/** Every ~tenth of the run, at most every 5 steps: enough lines for a mean, few enough to stay cheap. */
export const defaultTelemetryEvery = (steps: number): number => Math.max(1, Math.min(5, Math.floor(steps / 10)));

export async function startDryRun(input: DryRunParsed, runsDir: string, jobs: JobSupervisor, now = new Date()): Promise<DryRunStarted> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const started: DryRunStarted['variants'] = [];
  const plans = dryRunPlans(input.precision);
  // The runs train at once: each gets its share of the cores, rather than all of them each (which oversubscribes the
  // CPU and makes every run slower than running them one after another).
  const threads = Math.max(1, Math.floor(availableParallelism() / plans.length));
  try {
    for (const plan of plans) {
      const out = join(runsDir, `${DRY_RUN_PREFIX}${stamp}-${plan.precision}${plan.variant === 'reference' ? '' : `-${plan.loss_scale}`}`);
      // One seed (the default) for all: the runs draw the same initial adapter and the same batches in the same order,
      // so their losses differ only by the number format.
      const values: TrainStartInput = {
        model: input.model, data: input.data, steps: input.steps, precision: plan.precision, loss_scale: plan.loss_scale,
        telemetry_every: input.telemetry_every ?? defaultTelemetryEvery(input.steps), out, threads,
        ...(input.lr !== undefined ? { lr: input.lr } : {}), ...(input.rank !== undefined ? { rank: input.rank } : {}),
        ...(input.max_seq_len !== undefined ? { max_seq_len: input.max_seq_len } : {}), ...(input.batch_size !== undefined ? { batch_size: input.batch_size } : {}),
      };
      const job = await startTrainingFromApp(values, runsDir, jobs);
      started.push({ variant: plan.variant, jobId: job.id, runDir: out });
    }
  } catch (err) {
    // Half a trial compares nothing: the runs already started are cancelled.
    for (const s of started) await jobs.cancel(s.jobId).catch(() => undefined);
    throw err;
  }
  return { precision: input.precision, jobIds: started.map((s) => s.jobId), variants: started };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** The mean shares of the run's gradient telemetry in one format; null before the first line. */
export function gradientShares(runDir: string, format: 'fp16' | 'bf16'): GradientShares | null {
  const lines = readRunTelemetry(runDir, 'grad');
  if (!lines.length) return null;
  return {
    underflow: mean(lines.map((l) => l.shares[format].underflow)),
    subnormal: mean(lines.map((l) => l.shares[format].subnormal)),
    overflow: mean(lines.map((l) => l.shares[format].overflow)),
    zeros: mean(lines.map((l) => (l.count > 0 ? l.zeros / l.count : 0))),
    lines: lines.length,
  };
}

/** Training rows only (eval rows have no lr); a non-finite loss was dropped by the reader, so such a row has none. */
const trainRows = (runDir: string): MetricsRow[] => readRunMetrics(runDir).filter((r) => 'lr' in r);

function variantOf(job: Job): Plan {
  const precision = (job.params.precision ?? 'fp32') as Plan['precision'];
  const scale = job.params.lossScale ?? (precision === 'fp16' ? 'dynamic' : 'none');
  if (precision === 'fp32') return { variant: 'reference', precision, loss_scale: 'none' };
  return scale === 'none' ? { variant: 'unscaled', precision, loss_scale: 'none' } : { variant: 'scaled', precision, loss_scale: 'dynamic' };
}

export async function dryRunResult(jobs: Pick<JobSupervisor, 'get'>, jobIds: string[]): Promise<DryRunResult> {
  const found: { job: Job; plan: Plan; rows: MetricsRow[] }[] = [];
  for (const id of jobIds) {
    const job = await jobs.get(id);
    if (!job || job.kind !== 'train' || !job.runDir || !basename(job.runDir).startsWith(DRY_RUN_PREFIX)) throw new ApiError('not-found', `No dry-run job with id ${id}.`);
    found.push({ job, plan: variantOf(job), rows: trainRows(job.runDir) });
  }
  const low = found.find((f) => f.plan.precision !== 'fp32')?.plan.precision;
  const precision: 'fp16' | 'bf16' = low === 'bf16' ? 'bf16' : 'fp16';
  const refLoss = new Map((found.find((f) => f.plan.variant === 'reference')?.rows ?? []).flatMap((r) => ('loss' in r ? [[r.step, r.loss] as const] : [])));

  const variants: DryRunVariant[] = found.map(({ job, plan, rows }) => {
    const losses = rows.filter((r) => 'loss' in r);
    const last = rows.at(-1);
    const lastLoss = last && 'loss' in last ? last.loss : null;
    // Compared at the latest step both runs have reached, so a run still going is compared fairly too.
    const common = [...losses].reverse().find((r) => refLoss.has(r.step));
    const ref = common ? refLoss.get(common.step)! : null;
    const scaled = rows.filter((r) => 'loss_scale' in r);
    return {
      variant: plan.variant, jobId: job.id, precision: plan.precision, lossScale: plan.loss_scale,
      state: job.state, progress: job.progress, reason: job.reason,
      steps: typeof job.params.steps === 'number' ? job.params.steps : 0,
      stepsDone: last?.step ?? 0,
      firstLoss: losses[0]?.loss ?? null,
      lastLoss,
      gapToFp32: common && ref ? (common.loss - ref) / ref : null,
      overflowSteps: rows.filter((r) => r.overflow === 1).length,
      skippedSteps: scaled.at(-1)?.skipped_steps ?? 0,
      finalLossScale: scaled.at(-1)?.loss_scale ?? null,
      format: precision,
      grad: gradientShares(job.runDir!, precision),
    };
  });
  const order: DryRunVariantId[] = ['reference', 'unscaled', 'scaled'];
  variants.sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant));
  const done = found.every((f) => ['completed', 'failed', 'cancelled', 'interrupted'].includes(f.job.state));
  return { precision, done, variants, verdict: dryRunVerdict(precision, variants) };
}
