// The range chart's kinds (gradients, activations, weights): their words, and the activation lines' per-site rows.
import type { RangeSummary } from '../../../../src-main/common/precision/range-telemetry';
import { ACTIVATION_GROUPS, type ActivationGroup, type TelemetryKindId, type TelemetryLine } from '../../../../src-main/common/precision/telemetry-line';

/** Switch order: gradients first (what loss scaling is about), then activations (the forward casts), then weights. */
export const RANGE_KINDS: readonly TelemetryKindId[] = ['grad', 'activation', 'weight'];

export const KIND_WORDS: Record<TelemetryKindId, { tab: string; title: string; symbol: string; noun: string }> = {
  grad: { tab: 'Gradients', title: 'Gradient magnitudes', symbol: '|g|', noun: 'gradient values' },
  activation: { tab: 'Activations', title: 'Activation magnitudes (inputs of the linear layers)', symbol: '|x|', noun: 'activation values' },
  weight: { tab: 'Weights', title: 'Trainable weight magnitudes', symbol: '|w|', noun: 'weight values' },
};

export const SITE_LABELS: Record<ActivationGroup, string> = {
  qkv_input: 'q/k/v_proj input (normed hidden state)',
  o_proj_input: 'o_proj input (attention output)',
  gate_up_input: 'gate/up_proj input (normed hidden state)',
  down_proj_input: 'down_proj input (silu(gate)·up)',
  lm_head_input: 'lm_head input (final hidden state)',
};

/** floor(log2) of the largest finite |x| in the summary (its last non-empty bin); null when there is none. */
export function largestBin(s: RangeSummary): number | null {
  for (let i = s.bins.counts.length - 1; i >= 0; i--) if (s.bins.counts[i] > 0) return s.bins.from + i;
  return null;
}

export interface SiteRow { id: ActivationGroup; label: string; largest: number | null; fp16Overflow: number; e4m3Overflow: number; nonFinite: number }

/** One row per activation site the line has, in graph order. */
export function siteRows(line: TelemetryLine): SiteRow[] {
  return ACTIVATION_GROUPS.flatMap((id) => {
    const s = line.groups[id];
    return s ? [{ id, label: SITE_LABELS[id], largest: largestBin(s), fp16Overflow: s.shares.fp16.overflow, e4m3Overflow: s.shares.fp8e4m3.overflow, nonFinite: s.nonFinite }] : [];
  });
}

/** The tensor holding the largest activation (the one a per-tensor fp8 scale has to fit), or null without tensors. */
export function largestTensor(line: TelemetryLine): { name: string; largest: number } | null {
  let best: { name: string; largest: number } | null = null;
  for (const [name, s] of Object.entries(line.tensors ?? {})) {
    const largest = largestBin(s);
    if (largest !== null && (!best || largest > best.largest)) best = { name, largest };
  }
  return best;
}
