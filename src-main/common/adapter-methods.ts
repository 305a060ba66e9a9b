// The Adapter wizard's knowledge of the training methods: plain-words descriptions, safe defaults and presets, trainable
// parameters and adapter file size from a ModelSpec, the effective LoRA scale, warnings, and the Train page's input.
//
// Shape legend: H hidden, I intermediate (SwiGLU), L layers, nh heads, nkv key/value heads, hd head dim, V vocab,
// r LoRA rank, n virtual tokens, h prompt-encoder hidden width, kv = L·2·nkv·hd (one prefix token's keys and values).
// The counts mirror src-main/estimate/shapes.ts (paramCounts, loraParamCount, ptuningParamCount): common may import
// nothing outside common (the renderer uses this file), so tests/unit/common/adapter-methods.test.ts checks that
// both agree on several models instead.
import { z } from 'zod';
import type { ModelSpec } from './model-spec';
import {
  DEFAULT_LORAPLUS_RATIO, LORA_METHODS, LORA_TARGET_NAMES, ModelSpecSchema, type PromptEncoderKind, type TrainMethod,
  type TrainStartInput,
} from './train';

export type LoraTargetName = (typeof LORA_TARGET_NAMES)[number];

/** What `models.spec` answers: a catalog model or a model folder, with its shape. */
export const ModelSpecInfo = z.object({ name: z.string(), source: z.enum(['catalog', 'folder']), spec: ModelSpecSchema });
export type ModelSpecInfo = z.infer<typeof ModelSpecInfo>;

/** Every setting the wizard edits; each method reads its own (toTrainInput sends only those). */
export interface AdapterSettings {
  method: TrainMethod;
  rank: number;
  alpha: number;
  dropout: number;
  targets: LoraTargetName[];
  loraInit: 'gaussian' | 'kaiming-uniform';
  useRslora: boolean;
  useDora: boolean;
  loraplusRatio: number;
  stages: number;
  virtualTokens: number;
  encoder: PromptEncoderKind;
  encoderHidden: number;
  lr: number;
  weightDecay: number;
  l2spLambda: number;
  ewcLambda: number;
  ewcData: string;
  ewcSamples: number;
}

export interface MethodInfo {
  title: string;
  trains: string;
  costs: string;
  wins: string;
  /** The estimator's method for its memory (estimate.run knows lora, full and ptuning), or null: not estimated. */
  estimateAs: 'lora' | 'full' | 'ptuning' | null;
}

export const METHOD_INFO: Record<TrainMethod, MethodInfo> = {
  lora: {
    title: 'LoRA', estimateAs: 'lora',
    trains: 'Two thin matrices A and B beside each chosen weight; the base model stays frozen.',
    costs: 'Well under 1% of the parameters; small files (megabytes); memory close to running the model.',
    wins: 'The safe default for teaching a model a task or a style on one computer.',
  },
  lora_plus: {
    title: 'LoRA+', estimateAs: 'lora',
    trains: 'The same A and B as LoRA, but B learns λ times faster than A.',
    costs: 'Exactly LoRA’s parameters, memory and file; only the optimizer differs.',
    wins: 'Often reaches LoRA’s loss in fewer steps, at no extra cost.',
  },
  plora: {
    title: 'PLoRA', estimateAs: 'lora',
    trains: 'LoRA in stages: each stage is merged into the weights and a fresh A, B starts.',
    costs: 'One stage’s LoRA in memory; the exported adapter has rank stages × r.',
    wins: 'More capacity than one LoRA for the memory of one LoRA, on longer runs.',
  },
  ptuning: {
    title: 'P-tuning', estimateAs: 'ptuning',
    trains: 'A few learned “virtual tokens” put in front of every input, made by a small prompt encoder.',
    costs: 'The fewest parameters (thousands to a few million); memory still backs up through every layer.',
    wins: 'Tiny adapters for narrow tasks (classification, a fixed format); weaker for new knowledge.',
  },
  prefix: {
    title: 'Prefix tuning', estimateAs: null,
    trains: 'Learned keys and values in front of the sequence in every layer (P-tuning v2).',
    costs: 'More than P-tuning (every layer), far fewer than LoRA; the files stay small.',
    wins: 'Steering generation with a very small adapter when LoRA is too much.',
  },
  full: {
    title: 'Full fine-tuning', estimateAs: 'full',
    trains: 'Every weight of the model.',
    costs: 'All parameters: gradients and optimizer state need about 4× the model’s memory; the result is a whole model.',
    wins: 'The largest change (a new domain or language), when memory allows; guards limit forgetting.',
  },
};

const ALL_TARGETS: LoraTargetName[] = [...LORA_TARGET_NAMES];
const LORA_DEFAULTS = { rank: 8, alpha: 16, dropout: 0, targets: ALL_TARGETS, loraInit: 'gaussian', useRslora: false, useDora: false } as const;

/**
 * Safe defaults per method, and why:
 * - LoRA family lr 2e-4, r 8, α 16, all linear layers: the QLoRA paper's and PEFT's usual recipe (also this app's run.yaml
 *   default); all linear layers because adapting attention alone falls short of full fine-tuning (QLoRA, §4).
 * - LoRA+ λ 16: the LoRA+ paper's recommendation (Hayou et al. 2024), PEFT's default.
 * - PLoRA 4 stages: enough merges to add capacity while each stage still gets a quarter of the steps.
 * - P-tuning lr 1e-3, 20 tokens, MLP encoder of width 128: PEFT's P-tuning example; prompt-learning parameters start far
 *   from useful values, so they take learning rates well above LoRA's.
 * - Prefix lr 1e-3, 20 tokens, an MLP projection of width 512: Li & Liang (2021) found the reparametrisation needed for
 *   stable training and used width 512; P-tuning v2 searched 5e-3…1e-2; we start at the low end for a first run.
 * - Full fine-tuning lr 1e-5 and weight decay 0.01: every weight moves, so a 20× smaller step than LoRA's (the range of
 *   Alpaca's 2e-5 and LIMA's 1e-5) keeps it from forgetting; the guards are off until asked for.
 */
export function methodDefaults(method: TrainMethod): AdapterSettings {
  const common = {
    ...LORA_DEFAULTS, targets: [...ALL_TARGETS], loraplusRatio: DEFAULT_LORAPLUS_RATIO, stages: 4,
    virtualTokens: 20, encoder: 'mlp' as PromptEncoderKind, encoderHidden: 128,
    lr: 2e-4, weightDecay: 0, l2spLambda: 0, ewcLambda: 0, ewcData: '', ewcSamples: 200,
  };
  if (method === 'ptuning') return { ...common, method, lr: 1e-3 };
  if (method === 'prefix') return { ...common, method, lr: 1e-3, encoderHidden: 512 };
  if (method === 'full') return { ...common, method, lr: 1e-5, weightDecay: 0.01 };
  return { ...common, method };
}

export const PRESET_NAMES = ['quick', 'balanced', 'thorough'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
/** Balanced is every method's defaults (methodDefaults), so a freshly chosen method shows Balanced as chosen. */
export const PRESET_INFO: Record<PresetName, string> = {
  quick: 'Smallest and fastest: a first try, a narrow task.',
  balanced: 'The safe defaults: what usually works.',
  thorough: 'More capacity or more protection: longer runs, harder tasks.',
};

/** Quick = the original LoRA paper's q/v-only r 4; Thorough = r 32 everywhere with a little dropout. α stays 2r. */
const LORA_PRESETS: Record<PresetName, Partial<AdapterSettings>> = {
  quick: { rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'], dropout: 0, useRslora: false, useDora: false },
  balanced: { rank: 8, alpha: 16, targets: [...ALL_TARGETS], dropout: 0, useRslora: false, useDora: false },
  thorough: { rank: 32, alpha: 64, targets: [...ALL_TARGETS], dropout: 0.05, useRslora: false, useDora: false },
};

export function presetSettings(method: TrainMethod, preset: PresetName): Partial<AdapterSettings> {
  const pick = <T>(q: T, b: T, t: T): T => (preset === 'quick' ? q : preset === 'balanced' ? b : t);
  switch (method) {
    case 'lora':
    case 'lora_plus':
      return { ...LORA_PRESETS[preset] };
    case 'plora':
      return { ...LORA_PRESETS[preset], stages: pick(2, 4, 8) };
    case 'ptuning':
      return { virtualTokens: pick(10, 20, 50), encoder: pick<PromptEncoderKind>('none', 'mlp', 'lstm'), encoderHidden: pick(128, 128, 256) };
    case 'prefix':
      return { virtualTokens: pick(10, 20, 40), encoder: pick<PromptEncoderKind>('none', 'mlp', 'mlp'), encoderHidden: pick(512, 512, 800) };
    case 'full':
      // Same size whatever the preset: Quick drops weight decay, Thorough adds both forgetting guards (EWC then needs
      // data from the old task, which the user names). λ's are starting points: the penalty's size depends on the data.
      return { weightDecay: pick(0, 0.01, 0.01), l2spLambda: pick(0, 0, 0.01), ewcLambda: pick(0, 0, 1) };
  }
}

/** [in, out] of each projection of a decoder layer (the engine's projectionDims). */
export function projectionDims(spec: ModelSpec): Record<LoraTargetName, [number, number]> {
  const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd } = spec;
  return {
    q_proj: [H, nh * hd], k_proj: [H, nkv * hd], v_proj: [H, nkv * hd], o_proj: [nh * hd, H],
    gate_proj: [H, I], up_proj: [H, I], down_proj: [I, H],
  };
}

/** Everything in the checkpoint: layers, embedding, norms, biases, lm_head unless tied (shapes.ts paramCounts().total). */
export function modelParamCount(spec: ModelSpec): number {
  const dims = projectionDims(spec);
  const perLayer = LORA_TARGET_NAMES.reduce((n, t) => n + dims[t][0] * dims[t][1], 0);
  const { hiddenSize: H, numHeads: nh, numKvHeads: nkv, headDim: hd, numLayers: L, vocabSize: V } = spec;
  const bias = spec.attentionBias ? nh * hd + 2 * nkv * hd : 0;
  const norms = 2 * H + (spec.qkNorm ? 2 * hd : 0);
  return L * (perLayer + bias + norms) + V * H + (spec.tieWordEmbeddings ? 0 : V * H) + H;
}

export interface TargetCount {
  target: LoraTargetName;
  inFeatures: number;
  outFeatures: number;
  /** r·(in + out) for A and B, plus `out` magnitudes with DoRA. */
  perModule: number;
  /** perModule × L. */
  total: number;
}

export function loraTargetCounts(spec: ModelSpec, rank: number, useDora: boolean): TargetCount[] {
  const dims = projectionDims(spec);
  return LORA_TARGET_NAMES.map((target) => {
    const [inFeatures, outFeatures] = dims[target];
    const perModule = rank * (inFeatures + outFeatures) + (useDora ? outFeatures : 0);
    return { target, inFeatures, outFeatures, perModule, total: perModule * spec.numLayers };
  });
}

function loraCount(spec: ModelSpec, rank: number, targets: readonly LoraTargetName[], useDora: boolean): number {
  return loraTargetCounts(spec, rank, useDora).filter((c) => targets.includes(c.target)).reduce((n, c) => n + c.total, 0);
}

const linear = (i: number, o: number) => i * o + o;

/** P-tuning: n·H embedding + PEFT's PromptEncoder (shapes.ts ptuningParamCount). */
export function ptuningParams(spec: ModelSpec, n: number, encoder: PromptEncoderKind, h: number): number {
  const H = spec.hiddenSize;
  const lstmLayer = (i: number) => 2 * 4 * (i * h + h * h + 2 * h); // 4 gates, 2 directions, biases ih + hh
  const enc = encoder === 'mlp' ? linear(H, h) + linear(h, h) + linear(h, H)
    : encoder === 'lstm' ? lstmLayer(H) + lstmLayer(2 * h) + linear(2 * h, 2 * h) + linear(2 * h, H)
      : 0;
  return n * H + enc;
}

/** Keys and values of one prefix token across all layers: L·2·nkv·hd. */
export const prefixWidth = (spec: ModelSpec) => spec.numLayers * 2 * spec.numKvHeads * spec.headDim;

/**
 * Prefix tuning: a plain n × (L·2·kvdim) table, or (projection) an n × kvdim embedding → Linear(kvdim, h) → Tanh →
 * Linear(h, L·2·kvdim), as PEFT builds it. PEFT's token_dim for prefix tuning is kvdim = nkv·hd (it shrinks token_dim
 * to the key/value width on grouped-query models), not the hidden size.
 */
export function prefixParams(spec: ModelSpec, n: number, projection: boolean, h: number): number {
  const width = prefixWidth(spec);
  const kvd = spec.numKvHeads * spec.headDim;
  return projection ? n * kvd + linear(kvd, h) + linear(h, width) : n * width;
}

export interface AdapterSummary {
  /** Parameters that receive gradients at any one time. */
  trainable: number;
  /** Parameters in the saved result (PLoRA: all stages; full: the whole model). */
  saved: number;
  /** The model's own parameters, for the share. */
  modelParams: number;
  share: number;
  /** The saved file(s): adapters in fp32 as we save them; a fully fine-tuned model in the base's dtype. */
  fileBytes: number;
  fileDtype: 'fp32' | 'bf16' | 'fp16';
  /** The rank of the exported LoRA adapter (PLoRA: stages · r), null for non-LoRA methods. */
  exportedRank: number | null;
}

export function adapterSummary(spec: ModelSpec, s: AdapterSettings): AdapterSummary {
  const modelParams = modelParamCount(spec);
  let trainable: number;
  let saved: number;
  let exportedRank: number | null = null;
  if (LORA_METHODS.includes(s.method)) {
    trainable = loraCount(spec, s.rank, s.targets, s.useDora);
    exportedRank = s.method === 'plora' ? s.stages * s.rank : s.rank;
    saved = loraCount(spec, exportedRank, s.targets, s.useDora);
  } else if (s.method === 'ptuning') {
    trainable = ptuningParams(spec, s.virtualTokens, s.encoder, s.encoderHidden);
    // The adapter holds the encoder's output, prompt_embeddings (n × H), for PEFT, and the encoder itself beside it
    // (prompt_encoder.safetensors) so the run can be continued or evaluated.
    saved = trainable + s.virtualTokens * spec.hiddenSize;
  } else if (s.method === 'prefix') {
    const projection = s.encoder !== 'none';
    trainable = prefixParams(spec, s.virtualTokens, projection, s.encoderHidden);
    // Likewise the n × (L·2·kvdim) prefix itself, plus the encoder.
    saved = trainable + s.virtualTokens * prefixWidth(spec);
  } else {
    trainable = modelParams;
    saved = modelParams;
  }
  // Full fine-tuning exports the model in the base's dtype (config.json's torch_dtype); adapters are written in fp32.
  const fileDtype = s.method === 'full' && spec.torchDtype === 'bfloat16' ? 'bf16' : s.method === 'full' && spec.torchDtype === 'float16' ? 'fp16' : 'fp32';
  return { trainable, saved, modelParams, share: trainable / modelParams, fileBytes: saved * (fileDtype === 'fp32' ? 4 : 2), fileDtype, exportedRank };
}

/** LoRA's update is scaled by α/r, or α/√r with rsLoRA (which keeps the update's size steady as r grows). */
export function effectiveScale(alpha: number, rank: number, rslora: boolean): number {
  return rank > 0 ? alpha / (rslora ? Math.sqrt(rank) : rank) : NaN;
}

export interface AdapterWarning { level: 'warn' | 'error'; text: string }

/** Settings that cannot run ('error') or are unusual enough to say so ('warn'); maxSeqLen defaults to the model's. */
export function adapterWarnings(spec: ModelSpec, s: AdapterSettings, maxSeqLen = spec.maxPositions): AdapterWarning[] {
  const out: AdapterWarning[] = [];
  const error = (text: string) => out.push({ level: 'error', text });
  const warn = (text: string) => out.push({ level: 'warn', text });
  if (!(s.lr > 0)) error('The learning rate must be above 0.');
  if (LORA_METHODS.includes(s.method)) {
    if (!Number.isInteger(s.rank) || s.rank < 1) error('The rank must be a whole number of at least 1.');
    if (!(s.alpha > 0)) error('Alpha must be above 0.');
    if (s.targets.length === 0) error('Choose at least one target module: LoRA needs a weight to sit beside.');
    for (const c of loraTargetCounts(spec, s.rank, false).filter((t) => s.targets.includes(t.target))) {
      const side = Math.min(c.inFeatures, c.outFeatures);
      if (s.rank > side) warn(`Rank ${s.rank} is above ${c.target}’s smaller side (${side}): a rank beyond it adds parameters but no capacity.`);
    }
    const scale = effectiveScale(s.alpha, s.rank, s.useRslora);
    if (Number.isFinite(scale) && (scale > 8 || scale < 0.25)) {
      warn(`The scale ${s.useRslora ? 'α/√r' : 'α/r'} = ${scale.toFixed(2)} is unusual (most runs use 0.5–4): updates may be ${scale > 8 ? 'too large and unstable' : 'too small to matter'}.`);
    }
    if (s.dropout < 0 || s.dropout > 0.9) error('Dropout must lie between 0 and 0.9.');
    if (s.method === 'lora_plus' && !(s.loraplusRatio > 0)) error('The LoRA+ ratio λ must be above 0.');
    if (s.method === 'lora_plus' && s.loraplusRatio > 0 && s.loraplusRatio < 1) warn('A ratio below 1 makes B learn slower than A: the opposite of LoRA+.');
    if (s.method === 'plora' && (!Number.isInteger(s.stages) || s.stages < 1 || s.stages > 64)) error('PLoRA needs 1 to 64 stages.');
    if (s.lr > 1e-3) warn('A learning rate above 1e-3 is large for LoRA; 1e-4…3e-4 is usual.');
  }
  if (s.method === 'ptuning' || s.method === 'prefix') {
    if (!Number.isInteger(s.virtualTokens) || s.virtualTokens < 1) error('Use at least 1 virtual token.');
    if (s.virtualTokens >= maxSeqLen) error(`${s.virtualTokens} virtual tokens leave no room in a ${maxSeqLen}-token sequence.`);
    else if (s.virtualTokens > maxSeqLen / 4) warn(`${s.virtualTokens} virtual tokens take over a quarter of the ${maxSeqLen}-token sequence.`);
    if (s.encoder !== 'none' && (!Number.isInteger(s.encoderHidden) || s.encoderHidden < 1)) error('The encoder width must be a whole number of at least 1.');
    if (s.method === 'prefix' && s.encoder === 'lstm') error('Prefix tuning has no LSTM encoder: choose the MLP projection or none.');
  }
  if (s.method === 'full') {
    if (s.weightDecay < 0) error('Weight decay cannot be negative.');
    if (s.l2spLambda < 0) error('The L2-SP λ cannot be negative.');
    if (s.ewcLambda < 0) error('The EWC λ cannot be negative.');
    if (s.ewcLambda > 0 && !s.ewcData.trim()) error('EWC needs data from the old task to measure which weights matter: name a file.');
    if (s.ewcLambda > 0 && (!Number.isInteger(s.ewcSamples) || s.ewcSamples < 1)) error('EWC needs at least 1 sample.');
    if (s.lr > 1e-4) warn('A learning rate above 1e-4 moves every weight far: full fine-tuning usually uses 1e-5…5e-5.');
  }
  return out;
}

/** The Train page's keys for these settings: only what the method reads, so main fills in the rest as run.yaml would. */
export function toTrainInput(s: AdapterSettings): Partial<TrainStartInput> {
  // Plain LoRA is main's default method: leaving it out keeps such runs' params (and resume hash) as before.
  const out: Partial<TrainStartInput> = { ...(s.method === 'lora' ? {} : { method: s.method }), lr: s.lr };
  if (LORA_METHODS.includes(s.method)) {
    Object.assign(out, {
      rank: s.rank, alpha: s.alpha, targets: s.targets.length === LORA_TARGET_NAMES.length ? 'all-linear' : [...s.targets],
      ...(s.dropout > 0 ? { dropout: s.dropout } : {}),
      ...(s.loraInit !== 'gaussian' ? { lora_init: s.loraInit } : {}),
      ...(s.useRslora ? { use_rslora: true } : {}),
      ...(s.useDora ? { use_dora: true } : {}),
      ...(s.method === 'lora_plus' ? { loraplus_ratio: s.loraplusRatio } : {}),
      ...(s.method === 'plora' ? { stages: s.stages } : {}),
    });
  } else if (s.method === 'ptuning' || s.method === 'prefix') {
    Object.assign(out, { virtual_tokens: s.virtualTokens, encoder: s.encoder, ...(s.encoder !== 'none' ? { encoder_hidden: s.encoderHidden } : {}) });
  } else {
    Object.assign(out, {
      weight_decay: s.weightDecay,
      ...(s.l2spLambda > 0 ? { l2sp_lambda: s.l2spLambda } : {}),
      ...(s.ewcLambda > 0 ? { ewc_lambda: s.ewcLambda, ewc_data: s.ewcData.trim(), ewc_samples: s.ewcSamples } : {}),
    });
  }
  return out;
}

/** The reverse, for the Train page: settings handed over (or a run's) read back into the wizard's shape. */
export function fromTrainInput(input: Partial<TrainStartInput>): AdapterSettings {
  const s = methodDefaults(input.method ?? 'lora');
  const targets = input.targets === undefined || input.targets === 'all-linear' ? [...LORA_TARGET_NAMES] : [...input.targets];
  return {
    ...s, targets, rank: input.rank ?? s.rank, alpha: input.alpha ?? s.alpha, dropout: input.dropout ?? s.dropout,
    loraInit: input.lora_init ?? s.loraInit, useRslora: input.use_rslora ?? false, useDora: input.use_dora ?? false,
    loraplusRatio: input.loraplus_ratio ?? s.loraplusRatio, stages: input.stages ?? s.stages,
    virtualTokens: input.virtual_tokens ?? s.virtualTokens, encoder: input.encoder ?? s.encoder, encoderHidden: input.encoder_hidden ?? s.encoderHidden,
    lr: input.lr ?? s.lr, weightDecay: input.weight_decay ?? s.weightDecay, l2spLambda: input.l2sp_lambda ?? 0, ewcLambda: input.ewc_lambda ?? 0,
    ewcData: input.ewc_data ?? '', ewcSamples: input.ewc_samples ?? s.ewcSamples,
  };
}
