// Parsing what people type into the explorer (1e-8, 1/3, 2^-24, inf) and showing values and errors compactly.
import type { ConversionOutcome } from '../../../../src-main/common/precision/convert';

/** A number from text: plain or exponent notation, a fraction a/b, a power 2^k or 2**k, inf and nan; null if none. */
export function parseNumberInput(text: string): number | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, '').replace(/[−–]/g, '-');
  if (t === '') return null;
  if (/^[+-]?(inf|infinity|∞)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'nan') return NaN;
  const power = t.match(/^([+-]?)(\d+(?:\.\d+)?)(?:\^|\*\*)\(?([+-]?\d+(?:\.\d+)?)\)?$/);
  if (power) return (power[1] === '-' ? -1 : 1) * Number(power[2]) ** Number(power[3]);
  const fraction = t.match(/^([^/]+)\/([^/]+)$/);
  if (fraction) {
    const [a, b] = [Number(fraction[1]), Number(fraction[2])];
    return Number.isNaN(a) || Number.isNaN(b) ? null : a / b;
  }
  const n = Number(t);
  return Number.isNaN(n) ? null : n;
}

/** A stored value exactly as JS prints it (shortest text that reads back as the same double), with signs for ±0 and ±inf. */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+∞';
  if (x === -Infinity) return '−∞';
  if (Object.is(x, -0)) return '−0';
  const abs = Math.abs(x);
  const text = abs !== 0 && (abs < 1e-4 || abs >= 1e7) ? x.toExponential() : String(x);
  return text.replace(/^-/, '−');
}

/** A limit or error for a table: three significant digits, exponent notation when very large or small. */
export function formatShort(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  const text = abs < 1e-3 || abs >= 1e6 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
  return text.replace(/^-/, '−');
}

/** A relative error as a percentage. */
export function formatRelative(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return '∞';
  if (x === 0) return '0 %';
  const pct = x * 100;
  return pct < 0.001 ? `${pct.toExponential(1)} %` : `${Number(pct.toPrecision(3))} %`;
}

/** What each outcome means in plain words, and how loudly to show it. */
export const OUTCOME_TEXT: Record<ConversionOutcome, { label: string; tone: 'neutral' | 'ok' | 'warn' | 'danger'; hint: string }> = {
  exact: { label: 'exact', tone: 'ok', hint: 'This value is stored without any error.' },
  rounded: { label: 'rounded', tone: 'neutral', hint: 'Rounded to the nearest value the format can hold (ties go to the even one).' },
  subnormal: { label: 'subnormal', tone: 'warn', hint: 'Below the smallest normal number: kept, but with fewer significant bits (gradual underflow).' },
  underflow: { label: 'underflow → 0', tone: 'danger', hint: 'Smaller than half the smallest subnormal: flushed to zero.' },
  saturated: { label: 'overflow → max', tone: 'danger', hint: 'Beyond the largest value: clamped to ±max (saturating conversion).' },
  overflow: { label: 'overflow', tone: 'danger', hint: 'Beyond the largest value: became infinity (or NaN where the format has no infinity).' },
  nan: { label: 'NaN', tone: 'warn', hint: 'Not a number stays not a number.' },
};
