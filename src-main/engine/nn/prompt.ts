// Prompt learning (PEFT P_TUNING / PREFIX_TUNING): configs, the trainable tensors' PEFT names and shapes, their init.
//
// Names are the keys of a PeftModel's state_dict (`prompt_encoder.default.…`), in torch's named_parameters order,
// which is the order of BuiltGraph.params and of the init stream. Read against PEFT 0.20.1.dev0 (commit 5d602fd):
// tuners/p_tuning/model.py PromptEncoder.__init__, tuners/prefix_tuning/model.py PrefixEncoder.__init__.

import type { ModelSpec } from '../../common/model-spec';
import { Prng } from './prng';

export type PromptConfig =
  | {
      kind: 'ptuning';
      virtualTokens: number;
      /** PEFT's encoder_reparameterization_type; 'none' trains the embedding table itself (PEFT PROMPT_TUNING). */
      encoder: 'lstm' | 'mlp' | 'none';
      /** encoder_hidden_size (unused with 'none'). */
      encoderHidden: number;
    }
  | {
      kind: 'prefix';
      virtualTokens: number;
      /** prefix_projection: Embedding(n, token_dim) → Linear → Tanh → Linear instead of Embedding(n, L·2·token_dim). */
      projection: boolean;
      /** encoder_hidden_size (used with projection only). */
      encoderHidden: number;
    };

/** PEFT's adapter name: every prompt-learning state-dict key sits under prompt_encoder.<adapter>. */
export const PROMPT_PREFIX = 'prompt_encoder.default.';

/** PromptEncoder's LSTM depth: PEFT's encoder_num_layers default, the only value we build. */
export const PTUNING_LSTM_LAYERS = 2;

export interface PromptParamShape {
  name: string;
  shape: number[];
  /** How torch initialises it: nn.Embedding, nn.Linear weight / bias (fan_in), nn.LSTM (hidden). */
  init: { kind: 'embedding' } | { kind: 'linear'; fanIn: number } | { kind: 'lstm'; hidden: number };
}

/**
 * The width of one virtual token of the KV prefix (PEFT token_dim) and its head count. PEFT's
 * _prepare_prompt_learning_config (utils/other.py) rewrites both for configs with num_key_value_heads (every Llama
 * family config): token_dim = head_dim · num_key_value_heads, num_attention_heads = num_key_value_heads, head_dim being
 * config.head_dim when set (Qwen3), else hidden_size / num_attention_heads — spec.headDim either way.
 */
export function prefixDims(spec: ModelSpec): { tokenDim: number; heads: number; headDim: number } {
  return { tokenDim: spec.numKvHeads * spec.headDim, heads: spec.numKvHeads, headDim: spec.headDim };
}

/** Width of one row of the prefix table: key and value of every layer. */
export function prefixWidth(spec: ModelSpec): number {
  return spec.numLayers * 2 * prefixDims(spec).tokenDim;
}

export function validatePromptConfig(cfg: PromptConfig): void {
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!posInt(cfg.virtualTokens)) throw new Error(`prompt: virtualTokens must be a positive integer, got ${cfg.virtualTokens}`);
  const needsHidden = cfg.kind === 'ptuning' ? cfg.encoder !== 'none' : cfg.projection;
  if (needsHidden && !posInt(cfg.encoderHidden)) throw new Error(`prompt: encoderHidden must be a positive integer, got ${cfg.encoderHidden}`);
  if (cfg.kind === 'ptuning' && !['lstm', 'mlp', 'none'].includes(cfg.encoder)) throw new Error(`prompt: unknown P-tuning encoder '${String(cfg.encoder)}'`);
}

function linearShapes(module: string, inF: number, outF: number): PromptParamShape[] {
  return [
    { name: `${PROMPT_PREFIX}${module}.weight`, shape: [outF, inF], init: { kind: 'linear', fanIn: inF } },
    { name: `${PROMPT_PREFIX}${module}.bias`, shape: [outF], init: { kind: 'linear', fanIn: inF } },
  ];
}

/** torch.nn.LSTM's parameters: per layer, per direction (forward, then `_reverse`), weight_ih, weight_hh, bias_ih, bias_hh. */
function lstmShapes(inF: number, hidden: number, layers: number): PromptParamShape[] {
  const out: PromptParamShape[] = [];
  const init = { kind: 'lstm' as const, hidden };
  for (let l = 0; l < layers; l++) {
    const layerIn = l === 0 ? inF : 2 * hidden;
    for (const sfx of ['', '_reverse']) {
      const p = `${PROMPT_PREFIX}lstm_head.`;
      out.push(
        { name: `${p}weight_ih_l${l}${sfx}`, shape: [4 * hidden, layerIn], init },
        { name: `${p}weight_hh_l${l}${sfx}`, shape: [4 * hidden, hidden], init },
        { name: `${p}bias_ih_l${l}${sfx}`, shape: [4 * hidden], init },
        { name: `${p}bias_hh_l${l}${sfx}`, shape: [4 * hidden], init },
      );
    }
  }
  return out;
}

/** The trainable tensors of a prompt config, in torch's named_parameters order (PromptEncoder / PrefixEncoder). */
export function promptParamShapes(spec: ModelSpec, cfg: PromptConfig): PromptParamShape[] {
  validatePromptConfig(cfg);
  const n = cfg.virtualTokens;
  const hid = cfg.encoderHidden;
  const embedding = (width: number): PromptParamShape => ({ name: `${PROMPT_PREFIX}embedding.weight`, shape: [n, width], init: { kind: 'embedding' } });
  if (cfg.kind === 'prefix') {
    if (!cfg.projection) return [embedding(prefixWidth(spec))];
    const td = prefixDims(spec).tokenDim;
    return [embedding(td), ...linearShapes('transform.0', td, hid), ...linearShapes('transform.2', hid, prefixWidth(spec))];
  }
  const H = spec.hiddenSize;
  if (cfg.encoder === 'none') return [embedding(H)];
  if (cfg.encoder === 'mlp') {
    return [embedding(H), ...linearShapes('mlp_head.0', H, hid), ...linearShapes('mlp_head.2', hid, hid), ...linearShapes('mlp_head.4', hid, H)];
  }
  return [embedding(H), ...lstmShapes(H, hid, PTUNING_LSTM_LAYERS), ...linearShapes('mlp_head.0', 2 * hid, 2 * hid), ...linearShapes('mlp_head.2', 2 * hid, H)];
}

/**
 * torch's default initial values, drawn in promptParamShapes order from one seeded stream: nn.Embedding N(0, 1);
 * nn.Linear kaiming_uniform_(a=√5) weights and biases, both U(−1/√fan_in, 1/√fan_in); nn.LSTM U(−1/√hidden, 1/√hidden)
 * for every weight and bias.
 */
export function initPromptParams(spec: ModelSpec, cfg: PromptConfig, seed: number): Map<string, Float32Array> {
  const rng = new Prng(seed);
  const out = new Map<string, Float32Array>();
  for (const p of promptParamShapes(spec, cfg)) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (p.init.kind === 'embedding') out.set(p.name, rng.normalArray(size, 1));
    else {
      const bound = 1 / Math.sqrt(p.init.kind === 'linear' ? p.init.fanIn : p.init.hidden);
      out.set(p.name, rng.uniformArray(size, -bound, bound));
    }
  }
  return out;
}
