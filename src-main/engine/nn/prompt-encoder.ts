// P-tuning's prompt encoder (PEFT PromptEncoder): the virtual tokens' input embeddings [n, H] from the trained tensors.
//
// PEFT 0.20.1.dev0 tuners/p_tuning/model.py: the table embedding [n, token_dim] (token_dim = hidden_size), then for
// 'MLP' Linear(H, e) → ReLU → Linear(e, e) → ReLU → Linear(e, H); for 'LSTM' a 2-layer bidirectional LSTM of hidden
// size e (batch_first, dropout 0) and Linear(2e, 2e) → ReLU → Linear(2e, H) on its output. PEFT's get_prompt runs the
// encoder once (prompt_tokens[:1]) and repeats the result over the batch, which is what the caller does here too.

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { linear } from './layers';
import { bidirectionalLstm, type LstmLayerWeights, type LstmWeights } from './lstm';
import type { ComputePrecision } from './precision';
import { PROMPT_PREFIX, PTUNING_LSTM_LAYERS, type PromptConfig } from './prompt';

export type PromptParams = ReadonlyMap<string, Value>;

export function param(params: PromptParams, local: string): Value {
  const v = params.get(PROMPT_PREFIX + local);
  if (!v) throw new Error(`prompt parameter '${PROMPT_PREFIX}${local}' is missing`);
  return v;
}

/** nn.Linear by its PEFT module name (e.g. 'mlp_head.0'). */
export function linearOf(g: Graph, params: PromptParams, x: Value, module: string, precision?: ComputePrecision): Value {
  return linear(g, x, param(params, `${module}.weight`), param(params, `${module}.bias`), precision);
}

function lstmLayers(params: PromptParams): LstmLayerWeights[] {
  const dir = (l: number, sfx: string): LstmWeights => ({
    wIh: param(params, `lstm_head.weight_ih_l${l}${sfx}`),
    wHh: param(params, `lstm_head.weight_hh_l${l}${sfx}`),
    bIh: param(params, `lstm_head.bias_ih_l${l}${sfx}`),
    bHh: param(params, `lstm_head.bias_hh_l${l}${sfx}`),
  });
  return Array.from({ length: PTUNING_LSTM_LAYERS }, (_, l) => [dir(l, ''), dir(l, '_reverse')] as LstmLayerWeights);
}

/** The virtual tokens' embeddings [n, H] (PEFT's prompt_embeddings for P_TUNING). */
export function ptuningPrompts(g: Graph, cfg: Extract<PromptConfig, { kind: 'ptuning' }>, params: PromptParams, precision?: ComputePrecision): Value {
  const table = param(params, 'embedding.weight'); // [n, H]
  if (cfg.encoder === 'none') return table;
  if (cfg.encoder === 'mlp') {
    const h1 = g.relu(linearOf(g, params, table, 'mlp_head.0', precision)); // [n, e]
    const h2 = g.relu(linearOf(g, params, h1, 'mlp_head.2', precision)); // [n, e]
    return linearOf(g, params, h2, 'mlp_head.4', precision); // [n, H]
  }
  const seq = bidirectionalLstm(g, table, lstmLayers(params), cfg.encoderHidden, precision); // [n, 2e]
  const h1 = g.relu(linearOf(g, params, seq, 'mlp_head.0', precision)); // [n, 2e]
  return linearOf(g, params, h1, 'mlp_head.2', precision); // [n, H]
}
