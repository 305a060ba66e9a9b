// Forgetting guards of full fine-tuning in the update graph: L2-SP and EWC pull anchored params toward their
// pre-trained values w0.
//
// L2-SP adds (λ/2)·‖w − w0‖² to the loss, EWC (λ/2)·Σ F⊙(w − w0)² (F the diagonal Fisher, fisher.ts). We add
// their gradient λ·F⊙(w − w0) (F = 1 for L2-SP) to the token-mean loss gradient, after the loss scale is undone
// and BEFORE the global norm, clipping and the optimizer rule: the penalty is treated as part of the loss, which
// is what a PyTorch user gets by adding it to the loss before backward(). So grad_norm includes it, clipping
// scales it with the rest, and AdamW normalises it per element like any gradient (unlike decoupled weight decay).

import type { Graph } from '../ir/graph';
import { numel } from '../ir/shape';
import type { Value } from '../ir/value';
import { anchorName, fisherName, type AnchorConfig, type OptimizerConfig, type ParamSpec } from './types';

/** The active strengths (null: that term is off); null overall when the config anchors nothing. */
export interface AnchorTerms {
  readonly l2sp: number | null;
  readonly ewc: number | null;
}

export function anchorTerms(cfg: OptimizerConfig): AnchorTerms | null {
  const a: AnchorConfig | undefined = cfg.anchor;
  if (!a) return null;
  for (const [k, v] of Object.entries(a)) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`anchor.${k} must be a finite number ≥ 0, got ${v}`);
  }
  const terms = { l2sp: a.l2sp ?? null, ewc: a.ewc ?? null };
  return terms.l2sp === null && terms.ewc === null ? null : terms;
}

/** The anchor's graph inputs of one param: w0, and F with EWC. */
export interface AnchorInputs {
  readonly w0: Value;
  readonly fisher: Value | null;
}

export function anchorInputs(g: Graph, p: ParamSpec, terms: AnchorTerms): AnchorInputs {
  return {
    w0: g.input(anchorName(p.name), 'float32', p.shape),
    fisher: terms.ewc !== null ? g.input(fisherName(p.name), 'float32', p.shape) : null,
  };
}

/** grad + l2sp·(w − w0) + ewc·F⊙(w − w0), all float32 (λ rounds to float32 as a Python float meeting a tensor does). */
export function addAnchorGradient(g: Graph, grad: Value, p: Value, a: AnchorInputs, terms: AnchorTerms): Value {
  const f = (x: number) => g.scalar(x, 'float32');
  const d = g.sub(p, a.w0);
  const parts: Value[] = [];
  if (terms.l2sp !== null) parts.push(g.mul(d, f(terms.l2sp)));
  if (terms.ewc !== null) parts.push(g.mul(g.mul(a.fisher as Value, d), f(terms.ewc)));
  return parts.reduce((acc, x) => g.add(acc, x), grad);
}

/** Structurally a runtime `Feed`. */
export interface AnchorFeed {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * The feeds `anchor.<name>` (and `fisher.<name>` when `fisher` is given) of the anchored params; the trainer passes
 * them unchanged on every update. Throws naming a missing or mis-sized tensor.
 */
export function anchorFeeds(params: readonly ParamSpec[], w0: ReadonlyMap<string, Float32Array>, fisher?: ReadonlyMap<string, Float32Array>): Record<string, AnchorFeed> {
  const out: Record<string, AnchorFeed> = {};
  const put = (key: string, p: ParamSpec, data: Float32Array | undefined, what: string) => {
    if (!data) throw new Error(`anchor: no ${what} for param '${p.name}'`);
    if (data.length !== numel(p.shape)) throw new Error(`anchor: ${what} of '${p.name}' has ${data.length} values, [${p.shape}] needs ${numel(p.shape)}`);
    out[key] = { data, dims: [...p.shape] };
  };
  for (const p of params) {
    if (!p.anchored) continue;
    put(anchorName(p.name), p, w0.get(p.name), 'pre-trained value');
    if (fisher) put(fisherName(p.name), p, fisher.get(p.name), 'Fisher');
  }
  return out;
}
