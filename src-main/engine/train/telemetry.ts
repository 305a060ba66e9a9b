// Range telemetry of a run (--telemetry-every N): every N optimizer steps one line per kind (gradients, weights) in
// <runDir>/telemetry.jsonl with the log2 histogram of |x| and the fp16/bf16/fp8 underflow, subnormal and overflow shares.
import { join } from 'node:path';
import { rangeSummary, type RangeSummary } from '../../common/precision/range-telemetry';
import { appendJsonl } from '../jobs/run-folder';

export const telemetryPath = (runDir: string): string => join(runDir, 'telemetry.jsonl');

export type TelemetryKind = 'grad' | 'weight';
/** LoRA's two matrices, told apart by their PEFT names (…lora_A.weight / …lora_B.weight). */
export type TelemetryGroup = 'lora_A' | 'lora_B';

/** One line of telemetry.jsonl: the kind's tensors all together, and per group. */
export interface TelemetryRow extends RangeSummary {
  step: number;
  kind: TelemetryKind;
  groups: Partial<Record<TelemetryGroup, RangeSummary>>;
}

const groupOf = (name: string): TelemetryGroup => (name.includes('lora_B') ? 'lora_B' : 'lora_A');

function telemetryRow(step: number, kind: TelemetryKind, tensors: ReadonlyMap<string, Float32Array>): TelemetryRow {
  const byGroup = new Map<TelemetryGroup, Float32Array[]>();
  for (const [name, data] of tensors) {
    const g = groupOf(name);
    byGroup.set(g, [...(byGroup.get(g) ?? []), data]);
  }
  const groups = Object.fromEntries([...byGroup].sort(([a], [b]) => a.localeCompare(b)).map(([g, ts]) => [g, rangeSummary(ts)]));
  return { step, kind, ...rangeSummary(tensors.values()), groups };
}

/**
 * The gradients as the optimizer receives them: the accumulated gradients of the summed loss, times 1/loss_scale
 * (rounded to float32, as the update graph and GradScaler.unscale_ do) and divided by max(token_count, 1), in float32
 * like the update graph's normaliseGrads — i.e. after unscaling, before clipping. A skipped (overflowed) step's
 * inf/NaN land in nonFinite.
 */
export function optimizerGradients(raw: ReadonlyMap<string, Float32Array>, tokenCount: number, lossScale: number | null): Map<string, Float32Array> {
  const inv = lossScale === null ? 1 : Math.fround(1 / lossScale);
  const denom = Math.max(tokenCount, 1);
  const out = new Map<string, Float32Array>();
  for (const [name, g] of raw) {
    const u = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) u[i] = Math.fround(g[i] * inv) / denom;
    out.set(name.startsWith('grad.') ? name.slice('grad.'.length) : name, u);
  }
  return out;
}

/** Appends the step's two lines (gradients, then the weights after this step's update) and returns them. */
export function writeTelemetry(runDir: string, step: number, grads: ReadonlyMap<string, Float32Array>, weights: ReadonlyMap<string, Float32Array>): TelemetryRow[] {
  const rows = [telemetryRow(step, 'grad', grads), telemetryRow(step, 'weight', weights)];
  for (const row of rows) appendJsonl(telemetryPath(runDir), row);
  return rows;
}
