// How the trial run's numbers read in the table: run names, losses, gaps and shares. Pure, so tests use it directly.
import type { DryRunVariant } from '../../../../src-main/common/precision/dry-run';

export function variantLabel(v: Pick<DryRunVariant, 'variant' | 'precision'>): string {
  if (v.variant === 'reference') return 'fp32 (reference)';
  return v.variant === 'scaled' ? `${v.precision}, dynamic loss scaling` : `${v.precision}, no loss scaling`;
}

export const lossText = (x: number | null): string => (x === null ? '—' : x.toFixed(3));

/** Two significant digits, no trailing zeros (0.0049%, 7.6%), as the verdict writes them. */
export function shareText(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  const p = Math.abs(x * 100);
  return p === 0 ? '0%' : p < 0.001 ? '<0.001%' : `${Number(p.toPrecision(2))}%`;
}

/** The relative gap with its sign: "+0.41%", "−0.002%", "0" for the reference itself. */
export function gapText(v: Pick<DryRunVariant, 'variant' | 'gapToFp32'>): string {
  if (v.variant === 'reference') return '—';
  if (v.gapToFp32 === null) return '…';
  if (v.gapToFp32 === 0) return '0%';
  return `${v.gapToFp32 > 0 ? '+' : '−'}${shareText(v.gapToFp32)}`;
}

export function scaleText(v: Pick<DryRunVariant, 'lossScale' | 'finalLossScale'>): string {
  if (v.lossScale === 'none') return 'none';
  return v.finalLossScale === null ? '…' : v.finalLossScale.toLocaleString('en');
}
