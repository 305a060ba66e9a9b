// LoRA: target modules, PEFT tensor names and shapes, initial values, and the adapter's graph inputs.
//
// y = x Wᵀ (+ bias) + (alpha/r) · (x Aᵀ) Bᵀ with A: [r, in], B: [out, r], as PEFT computes it
// (base layer first, then lora_B(lora_A(x)) * scaling). A and B are graph inputs, fed every step.

import type { ModelSpec } from '../../common/model-spec';
import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { Prng } from './prng';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  r: number;
  alpha: number;
  /** Module names, or 'all-linear' (every projection of the decoder layers; never lm_head). */
  targets: readonly LoraTarget[] | 'all-linear';
  /** Dropout on the LoRA input path. Only 0 is supported for now (TODO: needs a Dropout op with a mask output). */
  dropout?: number;
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
  kind: 'A' | 'B';
  shape: [number, number];
}

export function loraScale(cfg: LoraConfig): number {
  return cfg.alpha / cfg.r;
}

export function peftName(module: string, kind: 'A' | 'B'): string {
  return `base_model.model.${module}.lora_${kind}.weight`;
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

export function loraTensors(spec: ModelSpec, cfg: LoraConfig): LoraTensor[] {
  return loraModules(spec, cfg).flatMap((m) => [
    { name: peftName(m.module, 'A'), module: m.module, kind: 'A' as const, shape: [cfg.r, m.inFeatures] as [number, number] },
    { name: peftName(m.module, 'B'), module: m.module, kind: 'B' as const, shape: [m.outFeatures, cfg.r] as [number, number] },
  ]);
}

export type LoraInit = 'gaussian' | 'kaiming-uniform';

/**
 * Initial adapter values, B = 0 always.
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

/** The adapter inside one graph: A and B of each adapted module, as float32 graph inputs. */
export class LoraAdapter {
  readonly params: Value[] = [];
  private readonly modules = new Set<string>();
  private readonly scale: number;

  constructor(private readonly g: Graph, spec: ModelSpec, readonly cfg: LoraConfig) {
    if ((cfg.dropout ?? 0) !== 0) throw new Error('LoRA dropout > 0 is not supported yet (use 0)');
    for (const m of loraModules(spec, cfg)) this.modules.add(m.module);
    this.scale = loraScale(cfg);
  }

  /** Adds (alpha/r)·(x Aᵀ)Bᵀ to `base` when `module` is adapted; x: [..., in], base: [..., out]. */
  apply(module: string, x: Value, base: Value): Value {
    if (!this.modules.has(module)) return base;
    const g = this.g;
    const inF = x.shape[x.rank - 1] as number;
    const outF = base.shape[base.rank - 1] as number;
    const a = this.input(peftName(module, 'A'), [this.cfg.r, inF]); // [r, in]
    const b = this.input(peftName(module, 'B'), [outF, this.cfg.r]); // [out, r]
    const xa = g.matmul(x, g.transpose(a, [1, 0])); // [..., r]
    const xab = g.matmul(xa, g.transpose(b, [1, 0])); // [..., out]
    return g.add(base, g.mul(xab, g.scalar(this.scale, 'float32')));
  }

  private input(name: string, shape: number[]): Value {
    const v = this.g.input(name, 'float32', shape);
    this.params.push(v);
    return v;
  }
}
