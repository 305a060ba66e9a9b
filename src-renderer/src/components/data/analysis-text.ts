// Plain words for the analysis views: language names, percentages, numbers, and what each constraint cue means.
import type { ConstraintCue } from '../../../../src-main/common/data-analysis';

const names = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'language' }) : null;

/** "English (en)"; 'und' and 'other' in words. */
export function languageName(code: string): string {
  if (code === 'und') return 'Unrecognised';
  if (code === 'other') return 'Other languages';
  let name: string | undefined;
  try {
    name = names?.of(code);
  } catch {
    name = undefined;
  }
  return name && name !== code ? `${name} (${code})` : code;
}

/** 0.4567 → "45.7%", tiny non-zero shares as "<0.1%". */
export function percent(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return '0%';
  if (fraction < 0.001) return '<0.1%';
  return `${(fraction * 100).toFixed(fraction >= 0.1 ? 0 : 1)}%`;
}

export const count = (x: number) => Math.round(x).toLocaleString('en-US');
/** One decimal unless whole: 12 → "12", 12.34 → "12.3". */
export const decimal = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));

export const CUE_TEXT: Record<ConstraintCue, { title: string; example: string }> = {
  obligation: { title: 'Obligation', example: '“must”, “make sure”' },
  limit: { title: 'Limit', example: '“at most”, “exactly”' },
  length: { title: 'Length', example: '“in 50 words”, “three bullets”' },
  format: { title: 'Format', example: '“as JSON”, “a table”' },
  negation: { title: 'Negation', example: '“do not”, “avoid”' },
  list: { title: 'Listed requirements', example: 'a bullet or numbered list' },
};
