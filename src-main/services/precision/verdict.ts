// Is loss scaling needed? Decided from a finished dry run (fp32 reference, the low precision without and with scaling).
// Pure: it reads the variants' numbers only, so the rule is tested on hand-made inputs.
import type { DryRunVariant, DryRunVerdict } from '../../common/precision/dry-run';

/**
 * More than 1% of the gradient values flushed to zero counts as "underflowing". Why 1%: AdamW divides each element's
 * update by its own gradient history, so a tiny gradient moves its weight as much as a large one; an element whose
 * gradient flushes to zero stops learning altogether. One weight in a hundred frozen is a change worth a loss scale;
 * below that, fp16's flushing touches only a thin tail, and the loss check below catches any effect that matters.
 */
export const UNDERFLOW_LIMIT = 0.01;
/**
 * A run's loss "tracks" fp32 when it ends within 2% of fp32's at the same step. The runs see the same batches in the
 * same order (one seed), so the gap is the format's doing. Rounding alone moves the loss far less (on the tiny test
 * model after 10 steps: fp16 0.002%, bf16 0.04%, fp16 with 4 of 10 steps skipped while its scale settled 0.4%), so 2%
 * means the run learned differently, not that it rounded differently.
 */
export const LOSS_GAP_LIMIT = 0.02;

const FINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
/** Two significant digits, no trailing zeros: 2%, 7.6%, 0.0049%. */
export function pct(x: number): string {
  const p = Math.abs(x * 100);
  return p === 0 ? '0%' : p < 0.001 ? '<0.001%' : `${Number(p.toPrecision(2))}%`;
}

export function dryRunVerdict(precision: 'fp16' | 'bf16', variants: readonly DryRunVariant[]): DryRunVerdict {
  const by = (v: DryRunVariant['variant']) => variants.find((x) => x.variant === v) ?? null;
  const wanted = precision === 'fp16' ? (['reference', 'unscaled', 'scaled'] as const) : (['reference', 'unscaled'] as const);
  const runs = wanted.map(by);
  if (runs.some((r) => r === null)) return { status: 'unknown', title: 'Incomplete trial', reason: `A trial of ${precision} needs the ${wanted.join(', ')} runs; some are missing.` };
  const [ref, unscaled, scaled] = runs as DryRunVariant[];
  if (runs.some((r) => !FINAL.has(r!.state))) {
    return { status: 'pending', title: 'Running…', reason: 'The verdict comes once every trial run has finished.' };
  }
  const broken = runs.find((r) => r!.state !== 'completed');
  if (broken) return { status: 'unknown', title: 'No verdict', reason: `The ${label(broken)} run ${broken.state}${broken.reason ? `: ${broken.reason}` : ''}.` };
  const diverged = runs.find((r) => r!.lastLoss === null);
  if (diverged) return { status: 'unknown', title: 'No verdict', reason: `The ${label(diverged)} run has no finite loss at its last step (it diverged or wrote no metrics).` };

  if (precision === 'bf16') {
    // Loss scaling exists to lift small gradients above fp16's floor. bf16's floor is fp32's: nothing to lift.
    return {
      status: 'not-needed',
      title: 'Loss scaling not needed',
      reason: 'bf16 has fp32’s exponent range (8 exponent bits: normal values down to about 1e-38), so gradients that fp32 '
        + `holds do not flush to zero in bf16 (here ${pct(unscaled.grad?.underflow ?? 0)} would). What bf16 gives up is precision `
        + `(7 mantissa bits), which a loss scale cannot restore; its loss ended ${gapText(unscaled.gapToFp32)} fp32’s.`,
    };
  }

  // The telemetry shows the gradients as the optimizer receives them (divided by the token count): a value there under
  // fp16's flush line was at most that many times larger inside the backward pass, so this share is an early warning.
  // Values the fp16 backward already flushed arrive as exact zeros, hence the zero share compared with fp32's too.
  const flushShare = unscaled.grad?.underflow ?? 0;
  const extraZeros = Math.max(0, (unscaled.grad?.zeros ?? 0) - (ref.grad?.zeros ?? 0));
  const gapU = Math.abs(unscaled.gapToFp32 ?? 0);
  const gapS = Math.abs(scaled.gapToFp32 ?? 0);
  if (flushShare > UNDERFLOW_LIMIT || extraZeros > UNDERFLOW_LIMIT) {
    const what = flushShare >= extraZeros
      ? `${pct(flushShare)} of the unscaled fp16 run’s gradient values fall below fp16’s smallest value (about 6e-8) and would flush to zero`
      : `${pct(extraZeros)} more of the unscaled fp16 run’s gradient values are exactly zero than fp32’s: fp16 flushed them`;
    return {
      status: 'needed',
      title: 'Loss scaling needed',
      reason: `${what} (more than ${pct(UNDERFLOW_LIMIT)}); those weights stop learning. With dynamic loss scaling the loss ended ${gapText(scaled.gapToFp32)} fp32’s, without it ${gapText(unscaled.gapToFp32)}.`,
    };
  }
  if (gapU > LOSS_GAP_LIMIT && gapS <= LOSS_GAP_LIMIT) {
    return {
      status: 'needed',
      title: 'Loss scaling needed',
      reason: `Without a loss scale fp16’s loss ended ${gapText(unscaled.gapToFp32)} fp32’s, with dynamic scaling ${gapText(scaled.gapToFp32)} (the limit is ${pct(LOSS_GAP_LIMIT)}): the small gradients that scaling keeps matter here.`,
    };
  }
  if (gapU > LOSS_GAP_LIMIT) {
    return {
      status: 'not-needed',
      title: 'Loss scaling does not fix this',
      reason: `fp16 ended more than ${pct(LOSS_GAP_LIMIT)} off fp32 with and without a loss scale (${gapText(unscaled.gapToFp32)} and ${gapText(scaled.gapToFp32)} fp32’s): `
        + 'the gap comes from fp16’s precision, not its range. Try bf16 or fp32.',
    };
  }
  return {
    status: 'not-needed',
    title: 'Loss scaling not needed',
    reason: `Without a loss scale fp16’s loss ended ${gapText(unscaled.gapToFp32)} fp32’s and only ${pct(flushShare)} of its gradient values would flush to zero `
      + `(the limits are ${pct(LOSS_GAP_LIMIT)} and ${pct(UNDERFLOW_LIMIT)}). Dynamic scaling is cheap, so leaving it on guards against smaller gradients later in a long run.`,
  };
}

function label(v: DryRunVariant): string {
  return v.variant === 'reference' ? 'fp32' : `${v.precision}${v.lossScale === 'dynamic' ? ' with loss scaling' : ' without loss scaling'}`;
}

/** "1.2% above", "0.3% below", "equal to". */
function gapText(gap: number | null): string {
  if (gap === null) return 'at an unknown distance from';
  if (gap === 0) return 'equal to';
  return `${pct(Math.abs(gap))} ${gap > 0 ? 'above' : 'below'}`;
}
