// The Llama family forward pass (Llama, Mistral, Qwen2, Qwen3) from primitives, with checkpoint names.
//
// Shapes:  B batch · S sequence · H hidden · nh heads · nkv kv heads · hd head dim
//          I intermediate (SwiGLU) · V vocab · r LoRA rank · L layers
//
// Family differences (all read from ModelSpec): Qwen2 has q/k/v biases (attentionBias), Qwen3 has
// per-head RMSNorm on q and k before RoPE (qkNorm) and an explicit head_dim that may differ from
// H/nh, Mistral's sliding window is not applied (our sequences are shorter than the window).

import type { Value } from '../ir/value';
import { selfAttention, causalMask } from './attention';
import { rmsNormNamed, swiGlu, type LayerContext } from './layers';
import { amatmul } from './precision';
import type { PrefixKv } from './prefix-encoder';
import type { PromptAdapter } from './prompt-adapter';
import { ropeTables, type RopeTables } from './rope';

/** LlamaDecoderLayer: pre-norm attention and pre-norm MLP, each with a residual; h: [B, S, H]. */
function decoderLayer(ctx: LayerContext, h: Value, layer: number, rope: RopeTables, mask: Value, prefix: PrefixKv | null): Value {
  const { g, spec } = ctx;
  const p = `model.layers.${layer}`;
  const attnIn = rmsNormNamed(ctx, h, `${p}.input_layernorm.weight`, spec.hiddenSize); // [B, S, H]
  ctx.tap?.(`${p}.input_layernorm.output`, attnIn); // q/k/v_proj's input
  const h1 = g.add(h, selfAttention(ctx, attnIn, layer, rope, mask, prefix)); // [B, S, H]
  const mlpIn = rmsNormNamed(ctx, h1, `${p}.post_attention_layernorm.weight`, spec.hiddenSize); // [B, S, H]
  ctx.tap?.(`${p}.post_attention_layernorm.output`, mlpIn); // gate/up_proj's input
  return g.add(h1, swiGlu(ctx, mlpIn, layer)); // [B, S, H]
}

/** The embedding matrix [V, H]. */
function embedTokens(ctx: LayerContext): Value {
  return ctx.weights.get('model.embed_tokens.weight', [ctx.spec.vocabSize, ctx.spec.hiddenSize]);
}

/**
 * LlamaModel: embeddings, L decoder layers, final norm; ids: int64 [B, S] → [B, S, H]. With a prompt (prompt-adapter.ts)
 * P-tuning makes it [B, n+S, H] (virtual tokens first) and prefix tuning adds a past of n positions to every layer.
 */
export function decoderStack(ctx: LayerContext, ids: Value, prompt: PromptAdapter | null = null): Value {
  const { g, spec } = ctx;
  let h = g.gather(embedTokens(ctx), ids, 0); // [B, S, H]
  if (prompt) h = prompt.prepend(ids, h); // P-tuning: [B, n+S, H]
  // The tables and mask follow h's length, which P-tuning has extended.
  const rope = ropeTables(g, spec, prompt ? h : ids, prompt?.positionOffset ?? 0); // cos/sin [S, hd]
  const mask = causalMask(g, prompt ? h : ids); // [S, S]
  for (let l = 0; l < spec.numLayers; l++) h = decoderLayer(ctx, h, l, rope, mask, prompt?.prefix(l, ids) ?? null);
  return rmsNormNamed(ctx, h, 'model.norm.weight', spec.hiddenSize); // [B, S, H]
}

/**
 * lm_head: h Wᵀ with W = lm_head.weight [V, H], or the embedding matrix when the config ties them
 * or the checkpoint has no lm_head.weight; h: [..., H] → logits [..., V].
 */
export function lmHead(ctx: LayerContext, h: Value): Value {
  const { g, spec } = ctx;
  const tied = spec.tieWordEmbeddings || !ctx.weights.has('lm_head.weight');
  const w = tied ? embedTokens(ctx) : ctx.weights.get('lm_head.weight', [spec.vocabSize, spec.hiddenSize]); // [V, H]
  return amatmul(g, h, g.transpose(w, [1, 0]), ctx.precision); // [..., V]
}
