// What a training method gives the trainer: how its graphs are built, what it trains and from which values, how those
// are stored in checkpoints and exported, and (PLoRA) where its stages end. The loop itself is the same for every method.
import type { TrainJobParams } from '../../../common/train';
import type { BuildOptions, BuiltGraph, ParamInfo, WeightRef } from '../../nn';
import type { EngineSession } from '../../runtime';
import type { AnchorConfig, ParamGroup, ParamSpec } from '../../optim';
import type { ParamsCodec } from '../checkpoint';

/** The graph options a method decides: its adapter, prompt, or which base weights train. */
export type MethodGraphOptions = Pick<BuildOptions, 'lora' | 'trainable' | 'prompt'>;

export interface MethodExport {
  /** The folder a user loads (PEFT adapter, or a model folder for full fine-tuning). */
  adapterDir: string;
  /** Other artefacts written beside it (PLoRA's merged model), for the log. */
  extra: string[];
}

export interface TrainMethodPlan {
  /** Options of the train graph (with the run's dropout) and of the eval graph (never drops). */
  trainGraph: MethodGraphOptions;
  evalGraph: MethodGraphOptions;
  /** Trained tensors before the first step (fresh, or from --init-adapter); `graphParams` are the train graph's. */
  initialParams(graphParams: readonly ParamInfo[]): Map<string, Float32Array>;
  /**
   * Once, after the graphs are open and before the first step of a fresh or resumed run: work that needs the train
   * graph (EWC's Fisher estimate). `trained` holds the values the run starts (or resumes) from.
   */
  prepare?(train: EngineSession, built: BuiltGraph, trained: Map<string, Float32Array>): Promise<void>;
  /** The optimizer's view of the trained tensors: groups (LoRA+), anchoring (full fine-tuning's guards). */
  optimizerParams(params: readonly ParamInfo[]): ParamSpec[];
  /** Parameter groups beyond the default one (LoRA+ puts lora_B in a group of its own). */
  optimizerGroups?: ParamGroup[];
  /** L2-SP / EWC strengths: the update graph pulls anchored params toward their pre-trained values. */
  optimizerAnchor?: AnchorConfig;
  /** Extra feeds of the update graph, e.g. the pre-trained weights and Fisher of L2-SP / EWC. */
  updateFeeds?(): Record<string, { data: Float32Array; dims: readonly number[] }>;
  codec: ParamsCodec;
  /** Writes the final result into the run folder. */
  exportFinal(runDir: string, params: Map<string, Float32Array>, shapes: Map<string, number[]>): MethodExport | Promise<MethodExport>;
  /** Lines for the run log when the run starts. */
  describe(): string[];
  /** PLoRA: staged training. Absent for single-stage methods. */
  stages?: StagePlan;
}

/** A method trained in stages that end in a merge (PLoRA). */
export interface StagePlan {
  count: number;
  /** The optimizer step at which stage `stage` (0-based) starts; stage `count` starts at `steps`. */
  startStep(stage: number): number;
  /** Weights the graphs read for a run at `stage` (the base model with every earlier stage merged in). */
  weightsFor(stage: number): WeightRef[];
  /** Ends stage `stage`: records its tensors in the run folder and merges them into the weights of the next stage. */
  finishStage(stage: number, params: Map<string, Float32Array>): void;
  /** Fresh tensors for stage `stage` (A re-drawn, B = 0). */
  paramsFor(stage: number): Map<string, Float32Array>;
}

export interface MethodContext {
  params: TrainJobParams;
  runDir: string;
  graphDir: string;
  /** The base model's weights as the graphs see them (hard-linked beside the graphs). */
  weights: WeightRef[];
  log(text: string): void;
}
