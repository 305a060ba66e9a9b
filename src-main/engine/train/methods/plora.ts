// PLoRA: LoRA trained in N stages. At the end of each stage (α/r)·B·A is merged into the weights, A is drawn afresh,
// B zeroed and the optimizer state reset, so every stage learns a new low-rank direction on top of the last ones.
//
// The user's model folder is never written: the merged weights of stage k live in OUT/plora/merged-k.safetensors
// (float32, only the adapted projections; every other tensor is still read from the model folder), each finished
// stage's adapter in OUT/plora/stage-k/. The result is the sum of the stages as ONE adapter of rank N·r in PEFT layout
// (A's stacked along the rank, B's side by side: Σ s·B_k·A_k = s·[B_1 … B_N]·[A_1; …; A_N]) in OUT/adapter/, and the
// merged model (the base with that adapter merged in, in the base's dtype) in OUT/merged/.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointTensors } from '../../io/checkpoint-files';
import { writePeftAdapter, readPeftAdapter, type LoraAdapterConfig } from '../../io/peft-adapter';
import { decodeFloats, type FloatDtype } from '../../io/float-codec';
import { readSafetensorsHeader, readTensorBytes, readTensorF32, writeSafetensors } from '../../io/safetensors';
import { mergeAdapter, mergeLinear } from '../../../models/merge';
import { initLoraWeights, linkWeightFiles, loraModules, loraScale, peftName, type LoraConfig, type WeightRef } from '../../nn';
import { peftAdapterConfig, settingsLoraConfig, toAdapterTensors } from '../lora-state';
import { loraOptimizerParams, peftCodec, VARIANTS } from './lora';
import type { MethodContext, StagePlan, TrainMethodPlan } from './types';

export const DEFAULT_PLORA_STAGES = 2;

/** The optimizer step at which stage k of `count` starts: steps split as evenly as whole steps allow. */
export function stageStart(stage: number, count: number, steps: number): number {
  return Math.round((stage * steps) / count);
}

/**
 * The stacked adapter's alpha: its scale over rank N·r must equal each stage's over r. With α/r that is N·α; with
 * rsLoRA's α/√r it is √N·α.
 */
export function stackedAlpha(cfg: LoraConfig, stages: number): number {
  return cfg.useRslora ? cfg.alpha * Math.sqrt(stages) : cfg.alpha * stages;
}

/** [A_1; …; A_N] ([N·r, in]) and [B_1 … B_N] ([out, N·r]) per module. */
export function stackStages(stages: Map<string, Float32Array>[], cfg: LoraConfig, modules: { module: string; inFeatures: number; outFeatures: number }[]): Map<string, { shape: number[]; data: Float32Array }> {
  const n = stages.length;
  const r = cfg.r;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const m of modules) {
    const a = new Float32Array(n * r * m.inFeatures);
    const b = new Float32Array(m.outFeatures * n * r);
    stages.forEach((params, k) => {
      a.set(params.get(peftName(m.module, 'A')) as Float32Array, k * r * m.inFeatures);
      const bk = params.get(peftName(m.module, 'B')) as Float32Array;
      for (let o = 0; o < m.outFeatures; o++) b.set(bk.subarray(o * r, (o + 1) * r), o * n * r + k * r);
    });
    out.set(peftName(m.module, 'A'), { shape: [n * r, m.inFeatures], data: a });
    out.set(peftName(m.module, 'B'), { shape: [m.outFeatures, n * r], data: b });
  }
  return out;
}

export function ploraPlan(ctx: MethodContext): TrainMethodPlan {
  const p = ctx.params;
  if (p.initAdapter) throw new Error('PLoRA starts from the base model: --init-adapter cannot be combined with method plora.');
  const count = p.stages ?? DEFAULT_PLORA_STAGES;
  if (count > p.steps) throw new Error(`PLoRA with ${count} stages needs at least ${count} steps (the run has ${p.steps}).`);
  const lora = settingsLoraConfig(p.lora);
  // A DoRA stage's merge rescales whole rows by m/‖W‖: the stages would no longer add up to one low-rank adapter.
  if (lora.useDora) throw new Error('PLoRA stages are plain LoRA (their sum is one low-rank adapter); DoRA cannot be combined with method plora.');
  const adapterConfig = peftAdapterConfig(lora, p.lora.init, p.lora.dropout, p.modelDir);
  const modules = loraModules(p.spec, lora);
  const scale = loraScale(lora);
  const folder = join(ctx.runDir, 'plora');
  const stageDir = (k: number) => join(folder, `stage-${k + 1}`);
  const mergedFile = (k: number) => join(folder, `merged-${k}.safetensors`); // weights after k merged stages
  const weightName = (module: string) => `${module}.weight`;
  const baseTensors = checkpointTensors(p.modelDir);

  /** The adapted projections after `k` merged stages, float32 (stage 0: the base's, decoded). */
  const mergedWeights = (k: number): Map<string, Float32Array> => {
    if (k === 0) {
      return new Map(modules.map((m) => {
        const loc = baseTensors.get(weightName(m.module));
        if (!loc) throw new Error(`${p.modelDir} has no tensor ${weightName(m.module)}.`);
        return [weightName(m.module), decodeFloats(readTensorBytes(loc), loc.dtype as FloatDtype)];
      }));
    }
    const header = readSafetensorsHeader(mergedFile(k));
    return new Map([...header.tensors].map(([name, loc]) => [name, readTensorF32(loc)]));
  };

  const writeMerged = (k: number, stageParams: Map<string, Float32Array>) => {
    const before = mergedWeights(k - 1);
    const tensors = modules.map((m) => {
      const a = stageParams.get(peftName(m.module, 'A')) as Float32Array;
      const b = stageParams.get(peftName(m.module, 'B')) as Float32Array;
      const w = before.get(weightName(m.module)) as Float32Array;
      return { name: weightName(m.module), dtype: 'F32' as const, shape: [m.outFeatures, m.inFeatures], data: mergeLinear(w, a, b, m.outFeatures, m.inFeatures, lora.r, scale) };
    });
    const tmp = `${mergedFile(k)}.partial`;
    writeSafetensors(tmp, tensors);
    renameSync(tmp, mergedFile(k));
  };

  const stages: StagePlan = {
    count,
    startStep: (k) => stageStart(k, count, p.steps),
    weightsFor: (k) => {
      if (k === 0) return ctx.weights;
      if (!existsSync(mergedFile(k))) {
        // A crash between a stage's adapter and its merge: the merge is a pure function of the stages, so redo it.
        for (let j = 1; j <= k; j++) if (!existsSync(mergedFile(j))) writeMerged(j, stageParams(j - 1));
      }
      const file = mergedFile(k);
      const location = linkWeightFiles(ctx.graphDir, [file]).get(file) as string;
      const merged = new Map<string, WeightRef>();
      for (const [name, loc] of readSafetensorsHeader(file).tensors) {
        merged.set(name, { name, dtype: 'F32', shape: loc.shape, location, offset: loc.offset, length: loc.byteLength });
      }
      return ctx.weights.map((w) => merged.get(w.name) ?? w);
    },
    finishStage: (k, params) => {
      const shapes = new Map(modules.flatMap((m) => [[peftName(m.module, 'A'), [lora.r, m.inFeatures]], [peftName(m.module, 'B'), [m.outFeatures, lora.r]]] as [string, number[]][]));
      writePeftAdapter(stageDir(k), adapterConfig, toAdapterTensors(params, shapes));
      writeMerged(k + 1, params);
    },
    // Stage 0 draws what plain LoRA with this seed draws; each later stage its own stream.
    paramsFor: (k) => initLoraWeights(p.spec, lora, p.seed + k, p.lora.init),
  };
  const stageParams = (k: number) => new Map([...readPeftAdapter(stageDir(k), VARIANTS).tensors].map(([name, t]) => [name, t.data]));

  const stackedConfig = (): LoraAdapterConfig => ({ ...adapterConfig, r: lora.r * count, alpha: stackedAlpha(lora, count) });
  return {
    trainGraph: { lora: { ...lora, dropout: p.lora.dropout } },
    evalGraph: { lora },
    initialParams: () => stages.paramsFor(0),
    optimizerParams: (params) => loraOptimizerParams(params, false),
    codec: peftCodec(adapterConfig),
    exportFinal: (runDir, params) => {
      stages.finishStage(count - 1, params); // the last stage is recorded (and merged) like the others
      const all = Array.from({ length: count }, (_, k) => stageParams(k));
      const adapterDir = join(runDir, 'adapter');
      writePeftAdapter(adapterDir, stackedConfig(), stackStages(all, lora, modules));
      const mergedDir = join(runDir, 'merged');
      rmSync(mergedDir, { recursive: true, force: true });
      mergeAdapter({ baseDir: p.modelDir, adapterDir, outDir: mergedDir });
      return { adapterDir, extra: [mergedDir] };
    },
    describe: () => [`PLoRA: ${count} stages of rank ${lora.r}, merged after steps ${Array.from({ length: count - 1 }, (_, k) => stageStart(k + 1, count, p.steps)).join(", ") || "(none)"}; the result is one rank-${lora.r * count} adapter`],
    stages,
  };
}
