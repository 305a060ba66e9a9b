// Histogram geometry for BaseHistogram: one equal-width bar per bin (edges are log-ish: 0,1,2,5,10,20…), height ∝ count, labels from edges.

export interface HistogramBar {
  index: number;
  count: number;
  /** "10–20", or "3" for a bin one whole number wide, "≥ 500" for an open last bin. */
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A compact number for an axis: 950, 1.2k, 20k, 3M. */
export function compactNumber(x: number): string {
  const abs = Math.abs(x);
  const fmt = (v: number, unit: string) => `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 1 : 0).replace(/\.0$/, '')}${unit}`;
  if (abs >= 1e9) return fmt(x / 1e9, 'G');
  if (abs >= 1e6) return fmt(x / 1e6, 'M');
  if (abs >= 1e3) return fmt(x / 1e3, 'k');
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** The label of bin i, which holds values v with edges[i] <= v < edges[i + 1]. */
export function binLabel(edges: readonly number[], i: number): string {
  const lo = edges[i];
  const hi = edges[i + 1];
  if (hi === undefined) return `≥ ${compactNumber(lo)}`;
  if (Number.isInteger(lo) && hi - lo === 1) return compactNumber(lo);
  return `${compactNumber(lo)}–${compactNumber(hi)}`;
}

/** Bars in a `width` × `height` box: equal widths with `gap` between, the tallest bar filling the height. */
export function histogramBars(edges: readonly number[], counts: readonly number[], width: number, height: number, gap = 2): HistogramBar[] {
  const n = counts.length;
  if (!n) return [];
  const top = Math.max(1, ...counts);
  const step = width / n;
  return counts.map((count, index) => {
    const h = (count / top) * height;
    return { index, count, label: binLabel(edges, index), x: index * step + gap / 2, y: height - h, width: Math.max(0, step - gap), height: h };
  });
}

/** Drops the empty bins before the first value (a prompt is rarely under 10 characters), so the bars use the width. */
export function trimLeadingEmpty(edges: readonly number[], counts: readonly number[]): { edges: number[]; counts: number[] } {
  let first = counts.findIndex((c) => c > 0);
  if (first < 0) first = 0;
  return { edges: edges.slice(first), counts: counts.slice(first) };
}

export interface AxisLabel { x: number; text: string }

/**
 * Axis labels in a box `width` wide: a bin one whole number wide is named at its centre ("3" turns), any other bin by its
 * edges at the boundaries (0, 10, 20, 50…). Labels that would overlap (about `charWidth` per character) are left out.
 */
export function axisLabels(edges: readonly number[], nBins: number, width: number, charWidth = 7): AxisLabel[] {
  if (!nBins) return [];
  const step = width / nBins;
  const all: AxisLabel[] = [];
  for (let i = 0; i < nBins; i++) {
    const lo = edges[i];
    const hi = edges[i + 1];
    if (Number.isInteger(lo) && hi - lo === 1) all.push({ x: (i + 0.5) * step, text: compactNumber(lo) });
    else {
      if (!all.length || all[all.length - 1].x < i * step - 1e-9) all.push({ x: i * step, text: compactNumber(lo) });
      if (hi !== undefined) all.push({ x: (i + 1) * step, text: compactNumber(hi) });
    }
  }
  const kept: AxisLabel[] = [];
  const half = (l: AxisLabel) => (l.text.length * charWidth) / 2;
  for (const label of all) {
    const prev = kept[kept.length - 1];
    if (!prev || label.x - prev.x >= half(prev) + half(label) + charWidth) kept.push(label);
  }
  return kept;
}
