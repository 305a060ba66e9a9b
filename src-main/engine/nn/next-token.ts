// The next-token graph: the logits of each row's last position, for greedy generation (engine/train/generate.ts).
//
// Inputs:  input_ids int64 [B, S] (no padding: the last column must be every row's last real token, so decode one
//          row at a time), then the adapter's float32 tensors as in buildEvalGraph (LoRA in PEFT names, or a prompt
//          encoder's tensors).
// Outputs: logits float32 [B, V].
// There is no KV cache: each new token re-runs the whole sequence, so n new tokens cost n full forwards (O(n) passes,
// O(n·S²) attention). That is fine for the short answers exact match scores; long generations would want a cache.

import type { ModelSpec } from '../../common/model-spec';
import { Graph } from '../ir/graph';
import type { LayerContext } from './layers';
import { LoraAdapter } from './lora';
import { decoderStack, lmHead } from './model';
import type { ParamInfo, BuildOptions } from './build';
import { PromptAdapter } from './prompt-adapter';
import { serializeGraph } from './serialize';
import { WeightSource, type WeightRef } from './weights';
import type { SerializeOptions } from '../onnx/serialize';

/** Slice's "to the end" (ops/slice.ts): what lets the symbolic sequence axis be sliced from its end. */
const TO_END = 2 ** 31 - 1;

export const NEXT_TOKEN_LOGITS = 'logits';

export type NextTokenOptions = Pick<BuildOptions, 'lora' | 'prompt' | 'precision' | 'name'>;

export interface NextTokenGraph {
  graph: Graph;
  /** The adapter's float32 inputs in input order (feed them as buildEvalGraph's params). */
  params: ParamInfo[];
  inputs: { inputIds: 'input_ids' };
  outputs: { logits: typeof NEXT_TOKEN_LOGITS };
  serialize(opts?: SerializeOptions): Uint8Array;
}

/** Forward only, frozen base weights, the same decoderStack / lmHead (and adapter) the eval graph runs. */
export function buildNextTokenGraph(spec: ModelSpec, weights: readonly WeightRef[], opts: NextTokenOptions = {}): NextTokenGraph {
  if (opts.prompt && opts.lora) throw new Error(`prompt learning (${opts.prompt.kind}) and LoRA cannot be combined in one graph`);
  const g = new Graph(opts.name ?? 'next_token');
  const ids = g.input('input_ids', 'int64', ['B', 'S']);
  const ws = new WeightSource(g, weights, () => 'frozen');
  const precision = opts.precision && opts.precision !== 'fp32' ? opts.precision : undefined;
  const lora = opts.lora ? new LoraAdapter(g, spec, opts.lora, { applyDropout: false, precision }) : null;
  const prompt = opts.prompt ? new PromptAdapter(g, spec, opts.prompt, precision) : null;
  const ctx: LayerContext = { g, spec, weights: ws, lora, precision };

  const h = decoderStack(ctx, ids, prompt); // [B, S, H] (P-tuning: [B, n+S, H]; its virtual tokens come first)
  const last = g.slice(h, { starts: [-1], ends: [TO_END], axes: [1] }); // [B, 1, H]
  // The head on one position only: V × H per row instead of V × H × S.
  const logits = g.squeeze(lmHead(ctx, last), [1]); // [B, V]
  g.output(logits, NEXT_TOKEN_LOGITS);
  const params = [...(lora?.params ?? []), ...(prompt?.params ?? [])];
  const bf16 = [...ws.bf16Initializers];
  return {
    graph: g,
    params: params.map((p) => ({ name: p.name, shape: p.shape as number[] })),
    inputs: { inputIds: 'input_ids' },
    outputs: { logits: NEXT_TOKEN_LOGITS },
    serialize: (o) => serializeGraph(g, bf16, o),
  };
}
