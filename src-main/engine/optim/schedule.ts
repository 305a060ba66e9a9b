// Learning-rate schedules in plain TS, value for value as transformers' LambdaLR schedules (optimization.py).
//
// Step indexing (the Hugging Face semantics): a LambdaLR sets lr = base · λ(0) when it is created,
// and `scheduler.step()` runs after each `optimizer.step()`. So the k-th update (1-based optimizer
// step k, the `step` input of the update graph) uses λ(k − 1): with warmup the very first update has
// lr 0. `lrAt(n, s)` is the lr after n completed updates (the scheduler's `last_epoch` = n);
// `lrForUpdate(k, s)` = `lrAt(k − 1, s)` is what to feed the update graph for step k.
//
// Definitions (transformers src/transformers/optimization.py):
//   _get_constant_schedule_with_warmup_lr_lambda: n < W ? n / max(1, W) : 1
//   _get_linear_schedule_with_warmup_lr_lambda:   n < W ? n / max(1, W) : max(0, (T − n) / max(1, T − W))
//   _get_cosine_schedule_with_warmup_lr_lambda:   n < W ? n / max(1, W)
//       : max(0, 0.5·(1 + cos(π · num_cycles · 2 · (n − W) / max(1, T − W))))   num_cycles = 0.5
// and TrainingArguments.get_warmup_steps: W = warmup_steps if > 0 else ceil(T · warmup_ratio).

export type ScheduleKind = 'constant' | 'linear' | 'cosine';

export interface Schedule {
  readonly kind: ScheduleKind;
  /** Peak (base) learning rate. */
  readonly lr: number;
  /** W: linear warmup from 0 over this many updates. */
  readonly warmupSteps: number;
  /** T: total optimizer steps (needed by linear and cosine). */
  readonly totalSteps: number;
  /** Cosine waves (default 0.5: one half-cosine from lr down to 0). */
  readonly numCycles?: number;
}

/** The multiplier λ(n) of the schedule after n completed updates. */
export function lrFactor(n: number, s: Omit<Schedule, 'lr'>): number {
  if (!Number.isInteger(n) || n < 0) throw new Error(`schedule step must be an integer ≥ 0, got ${n}`);
  const w = s.warmupSteps;
  if (n < w) return n / Math.max(1, w);
  const t = s.totalSteps;
  switch (s.kind) {
    case 'constant':
      return 1;
    case 'linear':
      return Math.max(0, (t - n) / Math.max(1, t - w));
    case 'cosine': {
      const progress = (n - w) / Math.max(1, t - w);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * (s.numCycles ?? 0.5) * 2 * progress)));
    }
  }
}

/** Learning rate after n completed updates (the scheduler's `get_last_lr()` then). */
export function lrAt(n: number, s: Schedule): number {
  return s.lr * lrFactor(n, s);
}

/** Learning rate to feed the update graph for 1-based optimizer step k. */
export function lrForUpdate(k: number, s: Schedule): number {
  if (!Number.isInteger(k) || k < 1) throw new Error(`optimizer step must be a 1-based integer, got ${k}`);
  return lrAt(k - 1, s);
}

/** transformers' TrainingArguments.get_warmup_steps: explicit steps win, else ceil(total · ratio). */
export function warmupStepsFor(totalSteps: number, o: { warmupSteps?: number; warmupRatio?: number }): number {
  const steps = o.warmupSteps ?? 0;
  return steps > 0 ? steps : Math.ceil(totalSteps * (o.warmupRatio ?? 0));
}
