// Plain numbers for the Adapter wizard: parameter counts ("1.23 M"), file sizes ("4.7 MiB") and learning rates ("2e-4").

/** A count with a short suffix; exact below ten thousand so small hand-checkable numbers stay exact. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) < 10_000) return n.toLocaleString('en-US');
  for (const [size, unit] of [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (Math.abs(n) >= size) return `${(n / size).toFixed(n / size >= 100 ? 0 : n / size >= 10 ? 1 : 2)} ${unit}`;
  }
  return String(n);
}

/** Bytes in binary units with three significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toPrecision(3)} ${units[i]}`;
}

/** A share of the model: more digits the smaller it is, so 0.0012% does not read as 0%. */
export function formatShare(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  if (pct >= 99.95) return '100%';
  if (pct >= 10) return `${pct.toFixed(1)}%`;
  if (pct >= 0.1) return `${pct.toFixed(2)}%`;
  return `${pct.toPrecision(2)}%`;
}

/** A learning rate as people write them: 2e-4, 0.001 → 1e-3. */
export function formatLr(lr: number): string {
  return Number.isFinite(lr) ? lr.toExponential().replace(/\.?0*e\+?/, 'e') : '—';
}
