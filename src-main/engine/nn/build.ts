// Training and evaluation graphs of a causal LM: inputs, forward, masked loss, gradients, and their names.
//
// Inputs:  input_ids int64 [B, S], labels int64 [B, S] (−100 = ignored; right padding, see attention.ts),
//          in train graphs with LoRA dropout > 0 the scalar int64 lora_dropout_seed and lora_dropout_step
//          (the global micro-batch counter; see dropout.ts), then the trainable float32 parameters (LoRA A/B
//          in PEFT names, or a prompt encoder's tensors in PEFT names; base weights in checkpoint names when
//          trainable = 'all').
// Outputs: loss_sum [], token_count [], loss [], then grad.<param> per parameter (train graph only).
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
import type { ComputePrecision } from './precision';
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
}

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
  outputs: { lossSum: 'loss_sum'; tokenCount: 'token_count'; loss: 'loss'; grads: string[] };
  /** ONNX bytes; write them into the folder the WeightRef locations are relative to. */
  serialize(opts?: SerializeOptions): Uint8Array;
}

function forward(spec: ModelSpec, weights: readonly WeightRef[], opts: BuildOptions, train: boolean) {
  const trainAll = opts.trainable === 'all';
  if (opts.prompt && (opts.lora || trainAll)) {
    throw new Error(`prompt learning (${opts.prompt.kind}) trains only its prompt encoder: give no LoRA config and no trainable 'all' with it`);
  }
  const g = new Graph(opts.name ?? 'causal_lm');
  const ids = g.input('input_ids', 'int64', ['B', 'S']);
  const labels = g.input('labels', 'int64', ['B', 'S']);
  const ws = new WeightSource(g, weights, () => (trainAll ? 'input' : 'frozen'));
  const precision = opts.precision && opts.precision !== 'fp32' ? opts.precision : undefined;
  const lora = opts.lora ? new LoraAdapter(g, spec, opts.lora, { applyDropout: train, exposeMasks: opts.dropoutMasks, precision }) : null;
  const prompt = opts.prompt ? new PromptAdapter(g, spec, opts.prompt, precision) : null;
  const ctx: LayerContext = { g, spec, weights: ws, lora, precision };

  const h = decoderStack(ctx, ids, prompt); // [B, S, H] (P-tuning: [B, n+S, H])
  // Position t predicts t+1: [B, S-1, H] against labels [B, S]; P-tuning's variant in prompt-adapter.ts.
  const { hidden, labels: target } = prompt ? prompt.lossInputs(h, labels) : { hidden: g.slice(h, { starts: [0], ends: [-1], axes: [1] }), labels };
  const logits = lmHead(ctx, hidden); // [B, S-1, V]
  const loss = maskedCrossEntropy(g, logits, target);
  g.output(loss.lossSum, 'loss_sum');
  g.output(loss.tokenCount, 'token_count');
  g.output(loss.loss, 'loss');
  const params: Value[] = [...(lora?.params ?? []), ...(prompt?.params ?? []), ...ws.inputs];
  return { g, ws, params, lossSum: loss.lossSum, dropout: !!lora?.usesDropout };
}

function result(g: Graph, ws: WeightSource, params: readonly Value[], grads: string[], dropout: boolean, lossScale: string | null = null): BuiltGraph {
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
    outputs: { lossSum: 'loss_sum', tokenCount: 'token_count', loss: 'loss', grads },
    serialize: (opts) => serializeGraph(g, bf16, opts),
  };
}

/** Forward + backward: gradients of loss_sum (not the mean; × loss_scale with lossScaleInput) w.r.t. every trainable parameter. */
export function buildTrainGraph(spec: ModelSpec, weights: readonly WeightRef[], opts: BuildOptions = {}): BuiltGraph {
  const { g, ws, params, lossSum, dropout } = forward(spec, weights, opts, true);
  if (params.length === 0) throw new Error("nothing to train: give a LoRA config, a prompt config or trainable: 'all'");
  const scale = opts.lossScaleInput ? g.input(LOSS_SCALE_INPUT, 'float32', []) : null;
  const grads = addGradients(g, scale ? g.mul(lossSum, scale) : lossSum, params);
  return result(g, ws, params, params.map((p) => (grads.get(p) as Value).name), dropout, scale ? LOSS_SCALE_INPUT : null);
}

/** Forward only (evaluation): the same inputs and loss outputs, no gradients. */
export function buildEvalGraph(spec: ModelSpec, weights: readonly WeightRef[], opts: BuildOptions = {}): BuiltGraph {
  const { g, ws, params } = forward(spec, weights, opts, false);
  return result(g, ws, params, [], false);
}
