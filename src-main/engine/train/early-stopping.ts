// Early stopping on the eval loss: how many evaluations have passed since the best one, from metrics.jsonl's history.
import { existsSync, readFileSync } from 'node:fs';

/** The eval losses of the run so far, in order (eval rows of metrics.jsonl). */
export function readEvalLosses(metricsFile: string): number[] {
  if (!existsSync(metricsFile)) return [];
  return readFileSync(metricsFile, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
    const row = JSON.parse(line) as { eval_loss?: number };
    return typeof row.eval_loss === 'number' ? [row.eval_loss] : [];
  });
}

/**
 * Evaluations after the best one (0 when the latest is the best). "Better" means strictly lower, as in transformers'
 * EarlyStoppingCallback with early_stopping_threshold 0: a plateau counts against the patience.
 */
export function evalsSinceBest(losses: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < losses.length; i++) if (losses[i] < losses[best]) best = i;
  return losses.length ? losses.length - 1 - best : 0;
}
