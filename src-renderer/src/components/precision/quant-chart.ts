// The sample as a histogram of log2 |x / scale|, and each format's window on that axis: where values flush or clip.
import { FP8_E4M3, FP8_E5M2, type FloatFormat } from '../../../../src-main/common/precision/formats';
import { INT8_QMAX } from '../../../../src-main/common/precision/int8';

export const AXIS_MIN = -20;
export const AXIS_MAX = 18;

export interface Log2Histogram {
  /** counts[i] holds values with log2 |x / scale| in [AXIS_MIN + i, AXIS_MIN + i + 1); the ends collect the rest. */
  counts: number[];
  zeros: number;
}

export function log2Histogram(values: ArrayLike<number>, scale: number): Log2Histogram {
  const counts = new Array<number>(AXIS_MAX - AXIS_MIN).fill(0);
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i] / scale);
    if (a === 0) { zeros += 1; continue; }
    const bin = Math.min(counts.length - 1, Math.max(0, Math.floor(Math.log2(a)) - AXIS_MIN));
    counts[bin] += 1;
  }
  return { counts, zeros };
}

export interface FormatWindow {
  id: 'fp8e4m3' | 'fp8e5m2' | 'int8';
  label: string;
  /** log2 of the magnitude below which values flush to 0 (half the smallest step). */
  flushBelow: number;
  /** log2 of the smallest normal number: between flushBelow and this, fewer significant bits (null for INT8). */
  normalFrom: number | null;
  /** log2 of the magnitude from which values clip (half a step above the largest value). */
  clipAbove: number;
}

function floatWindow(id: 'fp8e4m3' | 'fp8e5m2', f: FloatFormat): FormatWindow {
  return {
    id, label: f.name, flushBelow: Math.log2(f.minSubnormal / 2), normalFrom: Math.log2(f.minNormal),
    clipAbove: Math.log2(f.max + f.resolutionAt(f.max) / 2),
  };
}

export const FORMAT_WINDOWS: readonly FormatWindow[] = [
  floatWindow('fp8e4m3', FP8_E4M3),
  floatWindow('fp8e5m2', FP8_E5M2),
  { id: 'int8', label: 'INT8', flushBelow: Math.log2(0.5), normalFrom: null, clipAbove: Math.log2(INT8_QMAX + 0.5) },
];
