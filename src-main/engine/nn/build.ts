// Training and evaluation graphs of a causal LM: inputs, forward, masked loss, gradients, and their names.
//
// Inputs:  input_ids int64 [B, S], labels int64 [B, S] (−100 = ignored; right padding, see attention.ts),
//          in train graphs with LoRA dropout > 0 the scalar int64 lora_dropout_seed and lora_dropout_step
//          (the global micro-batch counter; see dropout.ts), then the trainable float32 parameters (LoRA A/B
//          in PEFT names, or a prompt encoder's tensors in PEFT names; base weights in checkpoint names when
//          trainable = 'all').
// Outputs: loss_sum [], token_count [], loss [], with exposeActivations the act.<site> values (ACTIVATION_OUTPUT_PREFIX),
//          then grad.<param> per parameter (train graph only).
// B and S are symbolic: one graph serves every batch shape.

import type { ModelSpec } from '../../common/model-spec';
import { addGradients } from '../autodiff/gradients';
import { Graph } from '../ir/graph';
import type { SerializeOptions } from '../onnx/serialize';
import type { Value } from '../ir/value';
import type { LayerContext } from './layers';
import { DROPOUT_SEED_INPUT, DROPOUT_STEP_INPUT } from './dropout';
import { LoraAdapter, type LoraConfig } from './lora';
import { maskedCrossEntropy } from './loss';
import { setNativeLowPrecision, type ComputePrecision } from './precision';
import { setFlushSafeRounding } from '../precision/emulate';
import type { PromptConfig } from './prompt';
import { PromptAdapter } from './prompt-adapter';
import { decoderStack, lmHead } from './model';
import { serializeGraph } from './serialize';
import { WeightSource, type WeightRef } from './weights';

export interface BuildOptions {
  /** The adapter; null/absent for none. */
  lora?: LoraConfig | null;
  /** 'lora': only the adapter is trained (base weights frozen, external); 'all': every base weight too. */
  trainable?: 'lora' | 'all';
  name?: string;
  /** Debug/test: train graphs with dropout also output each module's drop mask (`lora_dropout_drop.<module>`). */
  dropoutMasks?: boolean;
  /**
   * Emulated autocast (precision.ts): matmul operands and outputs, and the gradients reaching them, rounded to fp16 or
   * bf16; norms, softmax, RoPE tables and the loss stay fp32. Default 'fp32': the graph is byte-identical to none.
   */
  precision?: ComputePrecision;
  /**
   * With fp16: the autocast matmuls as float16 MatMul nodes between exact casts, for a provider that has those kernels
   * (precision.ts lowpMatmul); the rest stays emulated, and bf16 is always emulated. Default off (emulated).
   */
  nativeLowPrecision?: boolean;
  /**
   * The emulated rounding for a device that flushes fp32 subnormals (a GPU provider): the subnormal branch rounds by an
   * addition instead of by fp32's gradual underflow (precision/emulate.ts setFlushSafeRounding). Default off (CPU).
   */
  flushSafeRounding?: boolean;
  /**
   * Train graphs: add a float32 scalar input `loss_scale` and differentiate loss_sum · loss_scale (loss scaling; the
   * update graph's `lossScale: true` divides the gradients by it again). The loss outputs stay unscaled.
   */
  lossScaleInput?: boolean;
  /**
   * Prompt learning (prompt.ts): P-tuning virtual tokens or prefix tuning's key/value prefixes. The encoder's tensors
   * (PEFT state-dict names) are the trainable inputs; the base model is frozen, so neither `lora` nor trainable 'all'
   * may be given with it. loss_sum / token_count / loss keep their meaning: only the real tokens' labels count.
   */
  prompt?: PromptConfig | null;
  /**
   * Range telemetry: also output the input of every linear as `act.<site>` (float32, the value before any autocast
   * cast): per layer `model.layers.<l>.input_layernorm.output` (q/k/v_proj's input),
   * `….self_attn.o_proj.input`, `….post_attention_layernorm.output` (gate/up_proj's input), `….mlp.down_proj.input`
   * (silu(gate)·up), and `lm_head.input` (the final normed hidden state, last position dropped). The values are
   * computed anyway (the backward keeps them), so a session.run that leaves them out of its fetches pays only the
   * Identity nodes. Off (default): the graph is byte-identical to one built without the option.
   */
  exposeActivations?: boolean;
}

/** Graph outputs of exposed activations (BuildOptions.exposeActivations) are this prefix + their site. */
export const ACTIVATION_OUTPUT_PREFIX = 'act.';

/** The train graph's loss-scale input (BuildOptions.lossScaleInput). */
export const LOSS_SCALE_INPUT = 'loss_scale';

export interface ParamInfo {
  name: string;
  shape: number[];
}

export interface BuiltGraph {
  graph: Graph;
  /** Trainable graph inputs (float32) in input order; the train graph outputs `grad.<name>` for each. */
  params: ParamInfo[];
  paramNames: string[];
  /** Base weights that are graph inputs (trainable 'all'), a subset of params. */
  weightInputs: string[];
  /** External initializers whose bytes are bfloat16 (re-typed by serialize()). */
  bf16Initializers: string[];
  inputs: { inputIds: 'input_ids'; labels: 'labels' };
  /** Scalar int64 inputs to feed per micro-batch when the graph applies LoRA dropout; null when it does not. */
  dropout: { seed: string; step: string } | null;
  /** The scalar float32 input multiplying the differentiated loss (BuildOptions.lossScaleInput); null when absent. */
  lossScale: string | null;
  /** `activations`: the act.<site> outputs in graph order (BuildOptions.exposeActivations); empty when off. */
  outputs: { lossSum: 'loss_sum'; tokenCount: 'token_count'; loss: 'loss'; grads: string[]; activations: string[] };
  /** ONNX bytes; write them into the folder the WeightRef locations are relative to. */
  serialize(opts?: SerializeOptions): Uint8Array;
}

function forward(spec: ModelSpec, weights: readonly WeightRef[], opts: BuildOptions, train: boolean) {
  const trainAll = opts.trainable === 'all';
  if (opts.prompt && (opts.lora || trainAll)) {
    throw new Error(`prompt learning (${opts.prompt.kind}) trains only its prompt encoder: give no LoRA config and no trainable 'all' with it`);
  }
  const g = new Graph(opts.name ?? 'causal_lm');
  if (opts.nativeLowPrecision) setNativeLowPrecision(g);
  if (opts.flushSafeRounding) setFlushSafeRounding(g);
  const ids = g.input('input_ids', 'int64', ['B', 'S']);
  const labels = g.input('labels', 'int64', ['B', 'S']);
  const ws = new WeightSource(g, weights, () => (trainAll ? 'input' : 'frozen'));
  const precision = opts.precision && opts.precision !== 'fp32' ? opts.precision : undefined;
  const lora = opts.lora ? new LoraAdapter(g, spec, opts.lora, { applyDropout: train, exposeMasks: opts.dropoutMasks, precision }) : null;
  const prompt = opts.prompt ? new PromptAdapter(g, spec, opts.prompt, precision) : null;
  const taps: [string, Value][] = [];
  const ctx: LayerContext = { g, spec, weights: ws, lora, precision, ...(opts.exposeActivations ? { tap: (name: string, v: Value) => { taps.push([name, v]); } } : {}) };

  const h = decoderStack(ctx, ids, prompt); // [B, S, H] (P-tuning: [B, n+S, H])
  // Position t predicts t+1: [B, S-1, H] against labels [B, S]; P-tuning's variant in prompt-adapter.ts.
  const { hidden, labels: target } = prompt ? prompt.lossInputs(h, labels) : { hidden: g.slice(h, { starts: [0], ends: [-1], axes: [1] }), labels };
  ctx.tap?.('lm_head.input', hidden);
  const logits = lmHead(ctx, hidden); // [B, S-1, V]
  const loss = maskedCrossEntropy(g, logits, target);
  g.output(loss.lossSum, 'loss_sum');
  g.output(loss.tokenCount, 'token_count');
  g.output(loss.loss, 'loss');
  // Appended after the loss outputs, so those keep their places; grad.* follow in train graphs as before.
  const activations = taps.map(([site, v]) => g.output(v, `${ACTIVATION_OUTPUT_PREFIX}${site}`).name);
  const params: Value[] = [...(lora?.params ?? []), ...(prompt?.params ?? []), ...ws.inputs];
  return { g, ws, params, lossSum: loss.lossSum, dropout: !!lora?.usesDropout, activations };
}

function result(g: Graph, ws: WeightSource, params: readonly Value[], grads: string[], dropout: boolean, activations: string[], lossScale: string | null = null): BuiltGraph {
  const bf16 = [...ws.bf16Initializers];
  return {
    graph: g,
    params: params.map((p) => ({ name: p.name, shape: p.shape as number[] })),
    paramNames: params.map((p) => p.name),
    weightInputs: ws.inputs.map((v) => v.name),
    bf16Initializers: bf16,
    inputs: { inputIds: 'input_ids', labels: 'labels' },
    dropout: dropout ? { seed: DROPOUT_SEED_INPUT, step: DROPOUT_STEP_INPUT } : null,
    lossScale,
    outputs: { lossSum: 'loss_sum', tokenCount: 'token_count', loss: 'loss', grads, activations },
    serialize: (opts) => serializeGraph(g, bf16, opts),
  };
}

/** Forward + backward: gradients of loss_sum (not the mean; × loss_scale with lossScaleInput) w.r.t. every trainable parameter. */
export function buildTrainGraph(spec: ModelSpec, weights: readonly WeightRef[], opts: BuildOptions = {}): BuiltGraph {
  const { g, ws, params, lossSum, dropout, activations } = forward(spec, weights, opts, true);
  if (params.length === 0) throw new Error("nothing to train: give a LoRA config, a prompt config or trainable: 'all'");
  const scale = opts.lossScaleInput ? g.input(LOSS_SCALE_INPUT, 'float32', []) : null;
  const grads = addGradients(g, scale ? g.mul(lossSum, scale) : lossSum, params);
  return result(g, ws, params, params.map((p) => (grads.get(p) as Value).name), dropout, activations, scale ? LOSS_SCALE_INPUT : null);
}

/** Forward only (evaluation): the same inputs and loss outputs, no gradients. */
export function buildEvalGraph(spec: ModelSpec, weights: readonly WeightRef[], opts: BuildOptions = {}): BuiltGraph {
  const { g, ws, params, activations } = forward(spec, weights, opts, false);
  return result(g, ws, params, [], false, activations);
}
