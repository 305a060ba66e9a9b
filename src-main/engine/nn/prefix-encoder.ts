// Prefix tuning's encoder (PEFT PrefixEncoder) and the per-layer key/value prefixes it feeds to attention.
//
// PEFT 0.20.1.dev0 tuners/prefix_tuning/model.py: without prefix_projection the table embedding [n, L·2·token_dim] is
// the output; with it, embedding [n, token_dim] → Linear(token_dim, e) → Tanh → Linear(e, L·2·token_dim).
// peft_model.py get_prompt then views the output as [B, n, 2L, heads, token_dim / heads] and permutes it to
// [2L, B, heads, n, head_dim]; layer l's key is entry 2l and its value 2l + 1 (split into pairs per layer, handed to
// a DynamicCache). token_dim and heads are the KV widths for grouped-query models (prompt.ts prefixDims).

import type { ModelSpec } from '../../common/model-spec';
import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import type { ComputePrecision } from './precision';
import { prefixDims, type PromptConfig } from './prompt';
import { linearOf, param, type PromptParams } from './prompt-encoder';

/** One layer's prefix, the same for every row of the batch. */
export interface PrefixKv {
  /** [1, nkv, n, hd]: broadcast by the score matmul. */
  key: Value;
  /** [B, nkv, n, hd]: repeated over the batch, to be concatenated with the real tokens' values. */
  value: Value;
}

/** The encoder output [n, L·2·token_dim] (PEFT's prompt_embeddings for PREFIX_TUNING). */
export function prefixTable(g: Graph, cfg: Extract<PromptConfig, { kind: 'prefix' }>, params: PromptParams, precision?: ComputePrecision): Value {
  const table = param(params, 'embedding.weight');
  if (!cfg.projection) return table;
  return linearOf(g, params, g.tanh(linearOf(g, params, table, 'transform.0', precision)), 'transform.2', precision);
}

/**
 * Splits the table into each layer's key and value prefix, in get_prompt's layout. zeros: [B, 1, 1, 1], whose
 * broadcast repeats the values over the batch (Add's gradient sums the rows back, as repeat's does in PEFT).
 */
export function prefixKv(g: Graph, spec: ModelSpec, table: Value, zeros: Value): PrefixKv[] {
  const { heads, headDim } = prefixDims(spec);
  const L = spec.numLayers;
  const perKv = g.transpose(g.reshape(table, [0, 2 * L, heads, headDim]), [1, 2, 0, 3]); // [2L, nkv, n, hd]
  const at = (i: number) => g.slice(perKv, { starts: [i], ends: [i + 1], axes: [0] }); // [1, nkv, n, hd]
  return Array.from({ length: L }, (_, l) => ({ key: at(2 * l), value: g.add(zeros, at(2 * l + 1)) }));
}
