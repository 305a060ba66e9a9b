// Causal self-attention with grouped-query heads, Qwen2 q/k/v biases and Qwen3 q/k norms, materialised softmax.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { projection, rmsNormNamed, type LayerContext } from './layers';
import { amatmul } from './precision';
import { applyRope, type RopeTables } from './rope';

/** float32 lowest, what HF adds for masked positions (torch.finfo(float32).min). */
const MASKED = -3.4028234663852886e38;

/**
 * Additive causal mask [S, S]: 0 where key j ≤ query i, float32 lowest where j > i.
 * Padding needs no mask: we pad on the right, so a real token never sees a pad through the causal
 * mask, and pads' own outputs are dropped by the loss (their labels are −100).
 */
export function causalMask(g: Graph, ids: Value): Value {
  const pos = g.arange(ids, 1); // [S]
  const future = g.greater(g.unsqueeze(pos, [0]), g.unsqueeze(pos, [1])); // [S, S]: j > i
  return g.where(future, g.scalar(MASKED, 'float32'), g.scalar(0, 'float32'));
}

/** [B, S, n·hd] → [B, n, S, hd]. */
function splitHeads(g: Graph, x: Value, n: number, hd: number): Value {
  return g.transpose(g.reshape(x, [0, 0, n, hd]), [0, 2, 1, 3]);
}

/** A q/k/v projection as heads [B, n, S, hd], q/k normed per head first when the model has q/k norms (Qwen3). */
function heads(ctx: LayerContext, x: Value, layer: number, which: 'q' | 'k' | 'v', n: number): Value {
  const { g, spec } = ctx;
  const module = `model.layers.${layer}.self_attn.${which}_proj`;
  const y = projection(ctx, x, module, `${which}_proj`, spec.attentionBias); // [B, S, n·hd]
  if (which === 'v' || !spec.qkNorm) return splitHeads(g, y, n, spec.headDim);
  const perHead = g.reshape(y, [0, 0, n, spec.headDim]); // [B, S, n, hd]
  const normed = rmsNormNamed(ctx, perHead, `model.layers.${layer}.self_attn.${which}_norm.weight`, spec.headDim);
  return g.transpose(normed, [0, 2, 1, 3]); // [B, n, S, hd]
}

/**
 * LlamaAttention (eager): softmax(Q Kᵀ · hd^-½ + mask) V, then o_proj; x: [B, S, H] → [B, S, H].
 * GQA without copying K/V: query heads are grouped as [B, nkv, nh/nkv, S, hd] (head h uses kv head
 * h // (nh/nkv), HF's repeat_kv order) and K/V [B, nkv, 1, S, hd] broadcast over the group axis.
 */
export function selfAttention(ctx: LayerContext, x: Value, layer: number, rope: RopeTables, mask: Value): Value {
  const { g, spec } = ctx;
  const { numHeads: nh, numKvHeads: nkv, headDim: hd } = spec;
  const rep = nh / nkv;
  const q = applyRope(g, heads(ctx, x, layer, 'q', nh), rope, hd); // [B, nh, S, hd]
  const k = applyRope(g, heads(ctx, x, layer, 'k', nkv), rope, hd); // [B, nkv, S, hd]
  const v = heads(ctx, x, layer, 'v', nkv); // [B, nkv, S, hd]

  const qg = g.reshape(q, [0, nkv, rep, -1, hd]); // [B, nkv, rep, S, hd]
  const kt = g.unsqueeze(g.transpose(k, [0, 1, 3, 2]), [2]); // [B, nkv, 1, hd, S]
  const scores = g.mul(amatmul(g, qg, kt, ctx.precision), g.scalar(1 / Math.sqrt(hd), 'float32')); // [B, nkv, rep, S, S]
  const probs = g.softmax(g.add(scores, mask), -1); // [B, nkv, rep, S, S]
  const ctxv = amatmul(g, probs, g.unsqueeze(v, [2]), ctx.precision); // [B, nkv, rep, S, hd]

  const merged = g.reshape(g.transpose(g.reshape(ctxv, [0, nh, -1, hd]), [0, 2, 1, 3]), [0, 0, nh * hd]); // [B, S, nh·hd]
  // o_proj carries a bias with attention_bias, except in Qwen2 (biases on q/k/v only).
  const oBias = spec.attentionBias && spec.architecture !== 'Qwen2ForCausalLM';
  return projection(ctx, merged, `model.layers.${layer}.self_attn.o_proj`, 'o_proj', oBias); // [B, S, H]
}
