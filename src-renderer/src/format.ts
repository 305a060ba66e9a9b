// Plain formatting of numbers, sizes, durations and errors for display (pure functions, no Vue).
import { ApiError } from '../../src-main/common/errors';

const GiB = 1024 ** 3;

/** Bytes as GiB with one decimal, e.g. "23.4 GiB"; "unknown" for null. */
export function formatGiB(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'unknown';
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** A fraction 0..1 as a whole percentage, e.g. "42%". */
export function formatPercent(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return `${Math.floor(clamped * 100)}%`;
}

/** Seconds as "1h 02m", "3m 05s" or "12s"; "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** A rate in units per second, e.g. "9.8 /s"; "—" when unknown. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  const digits = perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2;
  return `${perSecond.toFixed(digits)} /s`;
}

/** An ISO time as the reader's local date and time; the raw text if it does not parse. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Any thrown value as one readable line; ApiErrors keep their message (the code is for branching, not reading). */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
