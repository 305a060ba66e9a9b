// Turns metrics.jsonl rows into the chart's aligned series: steps, training loss, and eval loss where it was measured.
export type MetricsRow = { step: number } & Record<string, number>;

export interface LossSeries {
  steps: number[];
  loss: (number | null)[];
  evalLoss: (number | null)[];
}

/** Train and eval rows share step numbers; each step gets one x with whatever was measured there (null = a gap). */
export function lossSeries(rows: readonly MetricsRow[]): LossSeries {
  const byStep = new Map<number, { loss: number | null; evalLoss: number | null }>();
  for (const row of rows) {
    const point = byStep.get(row.step) ?? { loss: null, evalLoss: null };
    if (typeof row.loss === 'number') point.loss = row.loss;
    if (typeof row.eval_loss === 'number') point.evalLoss = row.eval_loss;
    byStep.set(row.step, point);
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  return { steps, loss: steps.map((s) => byStep.get(s)!.loss), evalLoss: steps.map((s) => byStep.get(s)!.evalLoss) };
}
