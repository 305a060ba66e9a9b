// LoRA: target modules, PEFT tensor names and shapes, initial values, and the adapter's graph inputs.
//
// y = x Wᵀ (+ bias) + s · (x Aᵀ) Bᵀ with A: [r, in], B: [out, r], as PEFT computes it
// (base layer first, then lora_B(lora_A(x)) * scaling). A and B are graph inputs, fed every step.
// s = alpha/r, or alpha/√r with rsLoRA (PEFT tuners/lora/layer.py update_layer, use_rslora).
// DoRA (use_dora) rescales each output row by a trained magnitude, a third input per module: see dora.ts.
// With dropout p > 0 the train graph computes lora_B(lora_A(dropout(x))) * scaling as PEFT does, one independent mask
// per adapted module (see dropout.ts); the eval graph never drops.

import type { ModelSpec } from '../../common/model-spec';
import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { doraOutput } from './dora';
import { DROPOUT_MASK_PREFIX, DropoutMasks } from './dropout';
import { amatmul, lowp, type ComputePrecision } from './precision';
import { Prng } from './prng';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  r: number;
  alpha: number;
  /** Module names, or 'all-linear' (every projection of the decoder layers; never lm_head). */
  targets: readonly LoraTarget[] | 'all-linear';
  /** PEFT's lora_dropout on the LoRA input path, in [0, 1); applied only in train graphs. */
  dropout?: number;
  /** rsLoRA (PEFT use_rslora): scale alpha/√r instead of alpha/r. */
  useRslora?: boolean;
  /** DoRA (PEFT use_dora): a trainable magnitude [out] per adapted module; the train graph needs the base weights' norms to start it (initDoraMagnitudes). */
  useDora?: boolean;
}

/** One adapted projection, e.g. module 'model.layers.0.self_attn.q_proj' with its in/out widths. */
export interface LoraModule {
  module: string;
  target: LoraTarget;
  inFeatures: number;
  outFeatures: number;
}

export interface LoraTensor {
  /** PEFT name, e.g. `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`. */
  name: string;
  module: string;
  /** 'magnitude': DoRA's m, only with useDora. */
  kind: 'A' | 'B' | 'magnitude';
  /** [r, in] for A, [out, r] for B, [out] for the magnitude. */
  shape: number[];
}

/** PEFT's scaling of the low-rank update: alpha/r, or alpha/√r with rsLoRA. */
export function loraScale(cfg: LoraConfig): number {
  return cfg.useRslora ? cfg.alpha / Math.sqrt(cfg.r) : cfg.alpha / cfg.r;
}

export function peftName(module: string, kind: 'A' | 'B'): string {
  return `base_model.model.${module}.lora_${kind}.weight`;
}

/**
 * DoRA's magnitude as PEFT saves it: `base_model.model.<module>.lora_magnitude_vector` (in memory PEFT holds it as
 * `lora_magnitude_vector.default.weight`; tuners/lora/model.py strips the `.weight` when saving, tuners_utils.py's
 * docstring lists such keys).
 */
export function magnitudeName(module: string): string {
  return `base_model.model.${module}.lora_magnitude_vector`;
}

function targetsOf(cfg: LoraConfig): Set<LoraTarget> {
  const list = cfg.targets === 'all-linear' ? LORA_TARGETS : cfg.targets;
  for (const t of list) if (!LORA_TARGETS.includes(t)) throw new Error(`LoRA target '${t}' is not supported (supported: ${LORA_TARGETS.join(', ')}, all-linear)`);
  return new Set(list);
}

/** [in, out] of each projection of a decoder layer. */
export function projectionDims(spec: ModelSpec): Record<LoraTarget, [number, number]> {
  const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd } = spec;
  return {
    q_proj: [H, nh * hd], k_proj: [H, nkv * hd], v_proj: [H, nkv * hd], o_proj: [nh * hd, H],
    gate_proj: [H, I], up_proj: [H, I], down_proj: [I, H],
  };
}

export function modulePath(layer: number, target: LoraTarget): string {
  const block = target === 'gate_proj' || target === 'up_proj' || target === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${block}.${target}`;
}

/** Adapted modules in checkpoint order (layer by layer, attention before MLP). */
export function loraModules(spec: ModelSpec, cfg: LoraConfig): LoraModule[] {
  if (!(Number.isInteger(cfg.r) && cfg.r > 0)) throw new Error(`LoRA rank must be a positive integer, got ${cfg.r}`);
  const targets = targetsOf(cfg);
  const dims = projectionDims(spec);
  const out: LoraModule[] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    for (const t of LORA_TARGETS) {
      if (targets.has(t)) out.push({ module: modulePath(l, t), target: t, inFeatures: dims[t][0], outFeatures: dims[t][1] });
    }
  }
  return out;
}

/** The trainable tensors in graph-input order: per module A, B (and DoRA's magnitude). */
export function loraTensors(spec: ModelSpec, cfg: LoraConfig): LoraTensor[] {
  return loraModules(spec, cfg).flatMap((m): LoraTensor[] => [
    { name: peftName(m.module, 'A'), module: m.module, kind: 'A', shape: [cfg.r, m.inFeatures] },
    { name: peftName(m.module, 'B'), module: m.module, kind: 'B', shape: [m.outFeatures, cfg.r] },
    ...(cfg.useDora ? [{ name: magnitudeName(m.module), module: m.module, kind: 'magnitude' as const, shape: [m.outFeatures] }] : []),
  ]);
}

export type LoraInit = 'gaussian' | 'kaiming-uniform';

/**
 * Initial adapter values, B = 0 always. DoRA magnitudes are not among them: they are norms of the base weights,
 * which initDoraMagnitudes (dora.ts) reads; A is drawn the same with or without DoRA.
 * - 'gaussian' (our default): A ~ N(0, std = 1/r). DESIGN writes this "N(0, 1/r)"; the 1/r is the
 *   standard deviation, as in PEFT's init_lora_weights="gaussian" (nn.init.normal_(std=1/r)).
 * - 'kaiming-uniform': PEFT's default (reset_lora_parameters, init_lora_weights=True) is
 *   nn.init.kaiming_uniform_(A, a=√5): gain = √(2/(1+a²)) = √(1/3), bound = gain·√(3/fan_in)
 *   = 1/√in (fan_in = in_features), i.e. A ~ U(−1/√in, 1/√in).
 * Drawn from one seeded xoshiro128** stream in loraTensors order, so a seed fixes every value.
 */
export function initLoraWeights(spec: ModelSpec, cfg: LoraConfig, seed: number, init: LoraInit = 'gaussian'): Map<string, Float32Array> {
  const rng = new Prng(seed);
  const out = new Map<string, Float32Array>();
  for (const t of loraTensors(spec, cfg)) {
    if (t.kind === 'magnitude') continue;
    const n = t.shape[0] * t.shape[1];
    if (t.kind === 'B') out.set(t.name, new Float32Array(n));
    else if (init === 'gaussian') out.set(t.name, rng.normalArray(n, 1 / cfg.r));
    else {
      const bound = 1 / Math.sqrt(t.shape[1]);
      out.set(t.name, rng.uniformArray(n, -bound, bound));
    }
  }
  return out;
}

/** How a graph uses the adapter's dropout: train graphs apply it, eval graphs do not. */
export interface LoraGraphOptions {
  applyDropout?: boolean;
  /** Debug/test: also output each module's drop mask as `lora_dropout_drop.<module>`. */
  exposeMasks?: boolean;
  /** Emulated autocast (precision.ts): lora_A / lora_B are linear layers, so their matmuls run in the low format. */
  precision?: ComputePrecision;
}

/** The adapter inside one graph: A and B of each adapted module, as float32 graph inputs. */
export class LoraAdapter {
  readonly params: Value[] = [];
  /** Module → index in loraModules order (the dropout hash's module number). */
  private readonly modules = new Map<string, number>();
  private readonly scale: number;
  /** 1/(1−p) when dropout applies, else 1. */
  private readonly dropFactor: number;
  private readonly dropout: DropoutMasks | null;

  constructor(private readonly g: Graph, spec: ModelSpec, readonly cfg: LoraConfig, private readonly opts: LoraGraphOptions = {}) {
    const p = cfg.dropout ?? 0;
    if (!(p >= 0 && p < 1)) throw new Error(`LoRA dropout must be in [0, 1), got ${p}`);
    loraModules(spec, cfg).forEach((m, i) => this.modules.set(m.module, i));
    this.dropout = p > 0 && opts.applyDropout ? new DropoutMasks(g, p) : null;
    // Inverted dropout: kept values × 1/(1−p). The factor is folded into the scale on [..., out], which is linear,
    // instead of costing a multiply on every element of x.
    this.dropFactor = this.dropout ? 1 / (1 - p) : 1;
    this.scale = loraScale(cfg) / (this.dropout ? 1 - p : 1);
  }

  /** The graph's dropout inputs (seed, micro-batch counter) when it applies dropout. */
  get usesDropout(): boolean {
    return this.dropout !== null;
  }

  /**
   * Adds s·(x Aᵀ)Bᵀ to `base` when `module` is adapted; x: [..., in], base = x Wᵀ (+ bias): [..., out]. DoRA also
   * reads the projection's weight W [out, in] and bias [out] (its magnitude rescales the base output without the bias).
   */
  apply(module: string, x: Value, base: Value, weight?: Value, bias?: Value): Value {
    const index = this.modules.get(module);
    if (index === undefined) return base;
    const g = this.g;
    const inF = x.shape[x.rank - 1] as number;
    const outF = base.shape[base.rank - 1] as number;
    const a = this.input(peftName(module, 'A'), [this.cfg.r, inF]); // [r, in]
    const b = this.input(peftName(module, 'B'), [outF, this.cfg.r]); // [out, r]
    let xin = x;
    if (this.dropout) {
      // The mask is a constant w.r.t. the parameters: Where's own gradient routes dy to the kept elements.
      const drop = this.dropout.drop(x, index);
      if (this.opts.exposeMasks) g.output(drop, `${DROPOUT_MASK_PREFIX}${module}`);
      xin = g.where(drop, g.scalar(0, x.dtype), x);
    }
    const p = this.opts.precision;
    const xa = amatmul(g, xin, g.transpose(a, [1, 0]), p); // [..., r]
    const xab = amatmul(g, xa, g.transpose(b, [1, 0]), p); // [..., out]
    if (this.cfg.useDora) {
      if (!weight) throw new Error(`DoRA on ${module} needs the projection's weight`);
      const m = this.input(magnitudeName(module), [outF]);
      const s = loraScale(this.cfg);
      return doraOutput(g, { x: xin, dropped: this.dropout !== null, dropFactor: this.dropFactor, xab, base, weight, bias, a, b, m, scale: s, precision: p });
    }
    // Under autocast PEFT's `result + lora_B(lora_A(x)) * scaling` is fp16/bf16 arithmetic: both results rounded.
    return lowp(g, g.add(base, lowp(g, g.mul(xab, g.scalar(this.scale, 'float32')), p)), p);
  }

  private input(name: string, shape: number[]): Value {
    const v = this.g.input(name, 'float32', shape);
    this.params.push(v);
    return v;
  }
}
