// Causal self-attention with grouped-query heads, Qwen2 q/k/v biases and Qwen3 q/k norms, materialised softmax.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { projection, rmsNormNamed, type LayerContext } from './layers';
import { amatmul } from './precision';
import type { PrefixKv } from './prefix-encoder';
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
 * With a prefix (prefix tuning) see prefixAttention.
 */
export function selfAttention(ctx: LayerContext, x: Value, layer: number, rope: RopeTables, mask: Value, prefix: PrefixKv | null = null): Value {
  const { g, spec } = ctx;
  const { numHeads: nh, numKvHeads: nkv, headDim: hd } = spec;
  const rep = nh / nkv;
  const q = applyRope(g, heads(ctx, x, layer, 'q', nh), rope, hd); // [B, nh, S, hd]
  const k = applyRope(g, heads(ctx, x, layer, 'k', nkv), rope, hd); // [B, nkv, S, hd]
  const v = heads(ctx, x, layer, 'v', nkv); // [B, nkv, S, hd]

  const qg = g.reshape(q, [0, nkv, rep, -1, hd]); // [B, nkv, rep, S, hd]
  const kt = g.unsqueeze(g.transpose(k, [0, 1, 3, 2]), [2]); // [B, nkv, 1, hd, S]
  const scores = g.mul(amatmul(g, qg, kt, ctx.precision), g.scalar(1 / Math.sqrt(hd), 'float32')); // [B, nkv, rep, S, S]
  const ctxv = prefix
    ? prefixAttention(ctx, qg, g.add(scores, mask), v, prefix)
    : amatmul(g, g.softmax(g.add(scores, mask), -1), g.unsqueeze(v, [2]), ctx.precision); // [B, nkv, rep, S, hd]

  const merged = g.reshape(g.transpose(g.reshape(ctxv, [0, nh, -1, hd]), [0, 2, 1, 3]), [0, 0, nh * hd]); // [B, S, nh·hd]
  ctx.tap?.(`model.layers.${layer}.self_attn.o_proj.input`, merged);
  // o_proj carries a bias with attention_bias, except in Qwen2 (biases on q/k/v only).
  const oBias = spec.attentionBias && spec.architecture !== 'Qwen2ForCausalLM';
  return projection(ctx, merged, `model.layers.${layer}.self_attn.o_proj`, 'o_proj', oBias); // [B, S, H]
}

/**
 * Attention over a past of n prefix positions then the S real ones, as HF's LlamaAttention computes it with the
 * DynamicCache PEFT's get_prompt builds (transformers ≥ 4.56; PEFT 0.20.1.dev0 peft_model.py get_prompt / forward):
 * the prefix keys are cache entries, so neither RoPE nor the Qwen3 k_norm touches them; the real tokens' q and k are
 * rotated at positions n..n+S−1 (cache_position; the caller's rope tables carry the offset); every real token sees all
 * n prefix positions (PEFT prepends n ones to the attention mask) and the causal part is the usual [S, S] mask. The
 * prefix key [1, nkv, n, hd] broadcasts in its own score matmul; the scores are joined [prefix | real] for one softmax
 * (HF's normalisation) and the values likewise, so no slice of a symbolic axis needs a gradient.
 * qg: [B, nkv, rep, S, hd]; realScores: masked, scaled [B, nkv, rep, S, S]; v: [B, nkv, S, hd] → [B, nkv, rep, S, hd].
 */
function prefixAttention(ctx: LayerContext, qg: Value, realScores: Value, v: Value, prefix: PrefixKv): Value {
  const { g, spec } = ctx;
  const pkt = g.unsqueeze(g.transpose(prefix.key, [0, 1, 3, 2]), [2]); // [1, nkv, 1, hd, n]
  const prefixScores = g.mul(amatmul(g, qg, pkt, ctx.precision), g.scalar(1 / Math.sqrt(spec.headDim), 'float32')); // [B, nkv, rep, S, n]
  const probs = g.softmax(g.concat([prefixScores, realScores], -1), -1); // [B, nkv, rep, S, n+S]
  const values = g.concat([prefix.value, v], 2); // [B, nkv, n+S, hd]
  return amatmul(g, probs, g.unsqueeze(values, [2]), ctx.precision);
}
