// A prompt-learning method inside one graph: its trainable inputs, and what it changes in the forward pass.
//
// P-tuning (PEFT PeftModelForCausalLM.forward, 0.20.1.dev0): the encoder output is prepended to every row's input
// embeddings ([B, n+S, H]); the base model then sees n+S positions (RoPE 0..n+S−1, causal mask over n+S) and labels
// prefixed with n × −100, so the virtual positions are never predicted and the last virtual position predicts labels[0].
// Prefix tuning: the input is untouched; every layer attends first to its n prefix keys/values (a past cache), the
// real tokens sit at positions n..n+S−1 (see attention.ts).

import type { ModelSpec } from '../../common/model-spec';
import { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { IGNORE_INDEX } from './loss';
import type { ComputePrecision } from './precision';
import { prefixKv, prefixTable, type PrefixKv } from './prefix-encoder';
import { promptParamShapes, type PromptConfig } from './prompt';
import { ptuningPrompts } from './prompt-encoder';
import { serializeGraph } from './serialize';

export class PromptAdapter {
  /** Trainable float32 inputs, in promptParamShapes order. */
  readonly params: Value[] = [];
  private readonly byName = new Map<string, Value>();
  private virtual: Value | null = null;
  private prefixes: PrefixKv[] | null = null;

  constructor(private readonly g: Graph, private readonly spec: ModelSpec, readonly cfg: PromptConfig, private readonly precision?: ComputePrecision) {
    for (const p of promptParamShapes(spec, cfg)) {
      const v = g.input(p.name, 'float32', p.shape);
      this.params.push(v);
      this.byName.set(p.name, v);
    }
  }

  get virtualTokens(): number {
    return this.cfg.virtualTokens;
  }

  /** The encoder output: P-tuning [n, H], prefix [n, L·2·token_dim]; what PEFT saves as prompt_embeddings. */
  encoderOutput(): Value {
    return this.cfg.kind === 'ptuning'
      ? ptuningPrompts(this.g, this.cfg, this.byName, this.precision)
      : prefixTable(this.g, this.cfg, this.byName, this.precision);
  }

  /** P-tuning: [B, S, H] → [B, n+S, H], the same virtual tokens in front of every row. Identity for prefix tuning. */
  prepend(ids: Value, embeds: Value): Value {
    if (this.cfg.kind !== 'ptuning') return embeds;
    const g = this.g;
    this.virtual ??= this.encoderOutput(); // [n, H]
    // Broadcasting against zeros [B, 1, 1] repeats the prompt over the symbolic batch (Expand needs a static shape);
    // Add's gradient then sums the rows back, as repeat's does in PEFT.
    const rows = g.add(batchZeros(g, ids, 3), g.unsqueeze(this.virtual, [0])); // [B, n, H]
    return g.concat([rows, embeds], 1);
  }

  /** Prefix tuning: layer l's key/value prefix; null for P-tuning. ids: [B, S], for the batch size of the values. */
  prefix(layer: number, ids: Value): PrefixKv | null {
    if (this.cfg.kind !== 'prefix') return null;
    this.prefixes ??= prefixKv(this.g, this.spec, this.encoderOutput(), batchZeros(this.g, ids, 4));
    return this.prefixes[layer];
  }

  /** Position of the first real token: n for prefix tuning (past length), 0 for P-tuning (the prompt is in the input). */
  get positionOffset(): number {
    return this.cfg.kind === 'prefix' ? this.cfg.virtualTokens : 0;
  }

  /**
   * The hidden states and labels for maskedCrossEntropy, which predicts labels[:, t+1] from position t. P-tuning:
   * positions n−1..n+S−2 of h [B, n+S, H] against labels with one −100 in front ([B, S+1]), which is PEFT's loss on
   * labels prefixed by n × −100 without computing logits for the virtual positions that predict nothing.
   */
  lossInputs(h: Value, labels: Value): { hidden: Value; labels: Value } {
    const g = this.g;
    if (this.cfg.kind !== 'ptuning') return { hidden: g.slice(h, { starts: [0], ends: [-1], axes: [1] }), labels };
    const n = this.cfg.virtualTokens;
    const ignored = g.add(g.mul(firstColumn(g, labels), g.scalar(0, 'int64')), g.scalar(IGNORE_INDEX, 'int64')); // [B, 1]
    return { hidden: g.slice(h, { starts: [n - 1], ends: [-1], axes: [1] }), labels: g.concat([ignored, labels], 1) };
  }
}

/** float32 zeros [B, 1, …] of the given rank, from ids [B, S] (an integer path: nothing differentiates through it). */
function batchZeros(g: Graph, ids: Value, rank: number): Value {
  const col = g.cast(g.mul(firstColumn(g, ids), g.scalar(0, 'int64')), 'float32'); // [B, 1]
  return rank === 2 ? col : g.unsqueeze(col, Array.from({ length: rank - 2 }, (_, i) => i + 2));
}

/** x[:, 0:1]; x: [B, S] → [B, 1]. */
function firstColumn(g: Graph, x: Value): Value {
  return g.slice(x, { starts: [0], ends: [1], axes: [1] });
}

/** The graph computing PEFT's `prompt_embeddings` from the prompt tensors (inputs named as in BuiltGraph.params). */
export interface PromptEmbeddingGraph {
  graph: Graph;
  params: { name: string; shape: number[] }[];
  output: typeof PROMPT_EMBEDDINGS;
  /** [n, H] for P-tuning, [n, L·2·token_dim] for prefix tuning. */
  shape: number[];
  serialize(): Uint8Array;
}

export const PROMPT_EMBEDDINGS = 'prompt_embeddings';

/** A small fp32 eval graph: the encoder alone, run once when saving an adapter (peft-prompt.ts). */
export function buildPromptEmbeddingGraph(spec: ModelSpec, cfg: PromptConfig): PromptEmbeddingGraph {
  const g = new Graph('prompt_embeddings');
  const adapter = new PromptAdapter(g, spec, cfg);
  const out = g.output(adapter.encoderOutput(), PROMPT_EMBEDDINGS);
  return {
    graph: g,
    params: adapter.params.map((p) => ({ name: p.name, shape: p.shape as number[] })),
    output: PROMPT_EMBEDDINGS,
    shape: out.shape as number[],
    serialize: () => serializeGraph(g),
  };
}
