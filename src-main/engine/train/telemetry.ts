// Range telemetry of a run (--telemetry-every N): every N optimizer steps one line per kind (gradients, weights and,
// where the train graph exposes them, activations) in <runDir>/telemetry.jsonl with the log2 histogram of |x| and the
// fp16/bf16/fp8 underflow, subnormal and overflow shares.
import { join } from 'node:path';
import { RangeHistogram, rangeSummary, type RangeSummary } from '../../common/precision/range-telemetry';
import type { ActivationGroup, TelemetryKindId } from '../../common/precision/telemetry-line';
import { appendJsonl } from '../jobs/run-folder';
import { ACTIVATION_OUTPUT_PREFIX } from '../nn/build';

export const telemetryPath = (runDir: string): string => join(runDir, 'telemetry.jsonl');

export type TelemetryKind = TelemetryKindId;
/** LoRA's two matrices, told apart by their PEFT names (…lora_A.weight / …lora_B.weight); activations by site. */
export type TelemetryGroup = 'lora_A' | 'lora_B' | ActivationGroup;

/** One line of telemetry.jsonl: the kind's tensors all together, and per group (activations: also per tensor). */
export interface TelemetryRow extends RangeSummary {
  step: number;
  kind: TelemetryKind;
  groups: Partial<Record<TelemetryGroup, RangeSummary>>;
  tensors?: Record<string, RangeSummary>;
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

/** Which linears an exposed activation feeds, from its site name (build.ts BuildOptions.exposeActivations). */
export function activationGroup(site: string): ActivationGroup {
  if (site.endsWith('.input_layernorm.output')) return 'qkv_input';
  if (site.endsWith('.o_proj.input')) return 'o_proj_input';
  if (site.endsWith('.post_attention_layernorm.output')) return 'gate_up_input';
  if (site.endsWith('.down_proj.input')) return 'down_proj_input';
  if (site === 'lm_head.input') return 'lm_head_input';
  throw new Error(`unknown activation site '${site}'`);
}

/**
 * The exposed activations of one telemetry step, over all its micro-batches (padding positions included: the casts
 * see them too). Each micro-batch's tensors are binned as they arrive and not kept; the groups and the total are
 * merged from the per-tensor histograms, so every value is classified once.
 */
export class ActivationTelemetry {
  private readonly perTensor = new Map<string, RangeHistogram>();

  /** `outputs`: the act.<site> output names of the train graph (BuiltGraph.outputs.activations). */
  constructor(private readonly outputs: readonly string[]) {
    for (const name of outputs) this.perTensor.set(name.slice(ACTIVATION_OUTPUT_PREFIX.length), new RangeHistogram());
  }

  add(out: Readonly<Record<string, { data: unknown }>>): void {
    for (const name of this.outputs) this.perTensor.get(name.slice(ACTIVATION_OUTPUT_PREFIX.length))?.add(out[name].data as Float32Array);
  }

  row(step: number): TelemetryRow {
    const all = new RangeHistogram();
    const byGroup = new Map<ActivationGroup, RangeHistogram>();
    for (const [site, h] of this.perTensor) {
      all.merge(h);
      const g = activationGroup(site);
      byGroup.set(g, (byGroup.get(g) ?? new RangeHistogram()).merge(h));
    }
    const groups = Object.fromEntries([...byGroup].map(([g, h]) => [g, h.summary()]));
    const tensors = Object.fromEntries([...this.perTensor].map(([site, h]) => [site, h.summary()]));
    return { step, kind: 'activation', ...all.summary(), groups, tensors };
  }
}

/**
 * Appends the step's lines (gradients, then the weights after this step's update, then the activations when the
 * graph exposes them) and returns them.
 */
export function writeTelemetry(
  runDir: string, step: number, grads: ReadonlyMap<string, Float32Array>, weights: ReadonlyMap<string, Float32Array>,
  activations: ActivationTelemetry | null = null,
): TelemetryRow[] {
  const rows = [telemetryRow(step, 'grad', grads), telemetryRow(step, 'weight', weights), ...(activations ? [activations.row(step)] : [])];
  for (const row of rows) appendJsonl(telemetryPath(runDir), row);
  return rows;
}
