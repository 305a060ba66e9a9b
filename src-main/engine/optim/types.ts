// Optimizer vocabulary: trainable parameters, parameter groups, AdamW/SGD settings, and the update graph's I/O names.

/** A trainable parameter as the update graph sees it (always float32, static shape). */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Index into `OptimizerConfig.groups` (default 0). */
  readonly group?: number;
  /**
   * Pulled toward its pre-trained value by `OptimizerConfig.anchor` (full fine-tuning's base weights; LoRA tensors
   * have no pre-trained value and stay unanchored). Ignored without an anchor.
   */
  readonly anchored?: boolean;
}

/**
 * A parameter group, like one dict of torch's `param_groups`: its lr is the `lr` input times
 * `lrMultiplier` (a constant baked into the graph; LoRA+ puts B matrices at λ×), its own weight decay.
 */
export interface ParamGroup {
  readonly lrMultiplier?: number;
  readonly weightDecay?: number;
}

interface CommonConfig {
  /** Parameter groups; a param's `group` indexes this list. Default: one group (multiplier 1, `weightDecay`). */
  readonly groups?: readonly ParamGroup[];
  /** Weight decay of groups that do not set their own (default 0, as HF TrainingArguments; torch.optim.AdamW's own is 0.01). */
  readonly weightDecay?: number;
  /** Clip by global L2 norm like `torch.nn.utils.clip_grad_norm_` when > 0 (HF `max_grad_norm`, default 0 = off). */
  readonly maxGradNorm?: number;
  /** Adds a `loss_scale` input: grads are divided by it before anything else (fp16 loss scaling). */
  readonly lossScale?: boolean;
  /**
   * When the grad norm is not finite, output the params and states unchanged (a skipped step, as
   * `torch.cuda.amp.GradScaler` does). Default false: the update goes through, as torch without a scaler.
   */
  readonly skipNonFinite?: boolean;
  /** Forgetting guards of full fine-tuning: a penalty pulling anchored params toward their pre-trained values (anchor.ts). */
  readonly anchor?: AnchorConfig;
}

/**
 * Penalty strengths, each a constant baked into the graph. L2-SP adds (l2sp/2)·‖w − w0‖² to the loss, EWC
 * (ewc/2)·Σ F⊙(w − w0)² with F the diagonal Fisher; both may be on. A given strength (0 included) adds the
 * term and its inputs, so λ = 0 keeps the feed layout of a run that turns the guard on later; an absent one adds nothing.
 */
export interface AnchorConfig {
  readonly l2sp?: number;
  readonly ewc?: number;
}

/** `torch.optim.AdamW` (decoupled weight decay, bias-corrected moments, amsgrad off). */
export interface AdamWConfig extends CommonConfig {
  readonly optimizer: 'adamw';
  /** Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Default 1e-8, added to √v̂ (not inside the root). */
  readonly eps?: number;
}

/** `torch.optim.SGD` (weight decay added to the gradient, optional momentum, dampening, Nesterov). */
export interface SgdConfig extends CommonConfig {
  readonly optimizer: 'sgd';
  readonly momentum?: number;
  readonly dampening?: number;
  readonly nesterov?: boolean;
}

export type OptimizerConfig = AdamWConfig | SgdConfig;

/** Per-parameter optimizer states: AdamW's first/second moments, SGD's momentum buffer (`m`). */
export type StateKind = 'm' | 'v';

/** Scalar inputs of the update graph, each float32 of shape []. */
export const UPDATE_INPUTS = {
  /** Base learning rate of this update (the schedule's value); group lr = lr × lrMultiplier. */
  lr: 'lr',
  /** 1-based optimizer step of this update (AdamW bias correction; SGD's first momentum step). */
  step: 'step',
  /** Counted (label ≠ -100) tokens of the whole optimizer step, over all its micro-batches. */
  tokenCount: 'token_count',
  /** Present only with `lossScale: true`. */
  lossScale: 'loss_scale',
} as const;

/** Scalar outputs of the update graph, each float32 of shape []. */
export const UPDATE_OUTPUTS = {
  /** Global L2 norm of the normalised gradients before clipping (what clip_grad_norm_ returns). */
  gradNorm: 'grad_norm',
  /** 1 when grad_norm is inf or NaN, else 0. */
  foundInf: 'found_inf',
} as const;

export const gradName = (param: string): string => `grad.${param}`;
export const stateName = (kind: StateKind, param: string): string => `${kind}.${param}`;
export const newParamName = (param: string): string => `new.${param}`;
export const newStateName = (kind: StateKind, param: string): string => `new_${kind}.${param}`;
/** The pre-trained value w0 of an anchored param (constant over the run). */
export const anchorName = (param: string): string => `anchor.${param}`;
/** The diagonal Fisher of an anchored param (EWC only). */
export const fisherName = (param: string): string => `fisher.${param}`;

/** What the trainer needs to drive the graph. */
export interface UpdateGraphIo {
  /** All input names: scalars, then per param: the param, its grad, its states, and when anchored `anchor.<name>`, `fisher.<name>` (EWC). */
  readonly inputNames: readonly string[];
  /** All output names: per param: new param, new states; then grad_norm, found_inf. */
  readonly outputNames: readonly string[];
  /** The state kinds every param carries (['m','v'] AdamW, ['m'] SGD with momentum, [] plain SGD). */
  readonly stateNames: readonly StateKind[];
}
