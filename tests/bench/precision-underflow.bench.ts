// Benchmark (issue 7): a planted fp16 gradient underflow — fp32 vs fp16 without loss scaling vs fp16 with dynamic scaling.
// Run: npx tsx tests/bench/precision-underflow.bench.ts [steps]   Prints one JSON object.
// BENCH_PROVIDER=webgpu (default cpu) runs it on that provider, with GPU rounding (flush-safe); BENCH_NATIVE=1 also puts
// fp16's matmuls on its float16 kernels (how scripts/gpu-check runs it on a GPU).
// Target: without scaling the loss stalls (every gradient flushed to zero); with dynamic scaling the final loss is within
// 2% of fp32's. Three runs with identical seeds and data on the engine's own graphs (emulated autocast, GradScaler, AdamW).
//
// The plant: a loss multiplied down by 2^-26 (as a loss averaged over very many tokens, or a small loss weight, is).
// AMP rounds every gradient that reaches a matmul's low-precision copy to fp16, whose smallest subnormal is
// 2^-24 ≈ 5.96e-8; anything under half of it becomes 0. The logits' gradient is (p − y)·2^-26, at most 1.49e-8, so
// in fp16 it is flushed at the lm_head and no gradient reaches any LoRA matrix. fp32 keeps it (its range reaches
// 1e-38), and AdamW (eps 1e-20, no clipping) is blind to a constant factor on the gradients, so fp32 learns as if
// unplanted. Dynamic loss scaling starts at S = 2^16, so the logits' gradient is (p − y)·2^-10: inside fp16's range.
// The multiplier rides on the train graph's loss_scale input (c·S; the update graph divides by S only), which is the
// engine's own loss-scaling path — the loop below is runTraining's, without checkpoints and events.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainJobParams } from '../../src-main/common/train';
import { buildTrainGraph } from '../../src-main/engine/nn';
import { serializeModel } from '../../src-main/engine/onnx/serialize';
import { buildUpdateGraph, initOptimizerState, lrForUpdate, scalarFeeds, type OptimizerConfig } from '../../src-main/engine/optim';
import { GradScaler } from '../../src-main/engine/precision/grad-scaler';
import { EngineSession, type Feed, type ProviderName } from '../../src-main/engine/runtime';
import { BatchStream } from '../../src-main/engine/train/batches';
import { readTokenizedExamples } from '../../src-main/engine/train/examples';
import { initialLoraParams, settingsLoraConfig } from '../../src-main/engine/train/lora-state';
import { StepAccumulator } from '../../src-main/engine/train/step-accumulator';
import { lossScaleConfig, optimizerParams } from '../../src-main/engine/train/trainer';
import { resolveWeightRefs } from '../../src-main/engine/train/weights';
import { benchTrainParams } from './bench-run';
import { TINY_MODELS, writeTinyModel } from '../reference/tiny-models';

const STEPS = Number(process.argv[2] ?? 30);
const [BATCH, SEQ, THREADS, RANK] = [8, 64, 2, 8];
const PROVIDER = (process.env.BENCH_PROVIDER ?? 'cpu') as ProviderName;
const NATIVE = process.env.BENCH_NATIVE === '1';
const PLANT = 2 ** -26; // the loss multiplier
const LR = 1e-2;

/** Learnable rows: each follows a fixed cycle through 16 tokens, from its own start, so next-token loss can fall. */
function writeData(file: string, vocab: number): void {
  const cycle = Array.from({ length: 16 }, (_, i) => (i * 37 + 5) % vocab);
  const rows = Array.from({ length: BATCH }, (_, r) => {
    const ids = Array.from({ length: SEQ }, (_, i) => cycle[(r * 3 + i) % cycle.length]);
    return JSON.stringify({ input_ids: ids, labels: ids });
  });
  writeFileSync(file, rows.join('\n'));
}

interface RunReport {
  first_loss: number; last_loss: number; rel_diff_vs_fp32: number | null;
  zero_grad_fraction_mean: number; zero_grad_fraction_last: number; zero_gradient_steps: number;
  loss_scale_last: number | null; skipped_steps: number | null; seconds: number;
}
interface StepRow { loss: number; zeroFraction: number; scale: number; skipped: number }

async function session(dir: string, file: string, bytes: Uint8Array): Promise<EngineSession> {
  writeFileSync(join(dir, file), bytes);
  return EngineSession.create(join(dir, file), { intraOpThreads: THREADS, providers: [PROVIDER] });
}

/** runTraining's step loop (trainer.ts) with the planted multiplier on the differentiated loss. */
async function trainOnce(p: TrainJobParams, dir: string): Promise<StepRow[]> {
  mkdirSync(dir, { recursive: true });
  const lora = settingsLoraConfig(p.lora);
  const scaleCfg = lossScaleConfig(p);
  const scaler = new GradScaler(scaleCfg);
  const built = buildTrainGraph(p.spec, resolveWeightRefs(p.modelDir, dir), { lora, name: 'train', precision: p.precision ?? 'fp32', lossScaleInput: true,
    ...(NATIVE ? { nativeLowPrecision: true } : {}), ...(PROVIDER !== 'cpu' ? { flushSafeRounding: true } : {}) });
  const shapes = new Map(built.params.map((q) => [q.name, q.shape]));
  const optCfg: OptimizerConfig = { optimizer: 'adamw', betas: p.betas, eps: p.eps, weightDecay: p.weightDecay, maxGradNorm: p.maxGradNorm };
  const update = buildUpdateGraph(optimizerParams(built.params, 'lora'), { ...optCfg, lossScale: true, skipNonFinite: scaleCfg.kind !== 'none' });
  const trainS = await session(dir, 'train.onnx', built.serialize());
  const updateS = await session(dir, 'update.onnx', serializeModel(update.graph));
  const params = initialLoraParams(p.spec, lora, p.seed, p.lora.init, null);
  const opt = new Map<string, Float32Array>(Object.entries(initOptimizerState(built.params, optCfg)).map(([k, v]) => [k, v.data]));
  const feeds = (m: Map<string, Float32Array>, key = (k: string) => k): Record<string, Feed> =>
    Object.fromEntries([...m].map(([k, data]) => [k, { data, dims: shapes.get(key(k)) ?? [data.length] }]));
  const stream = new BatchStream(readTokenizedExamples(p.trainData), p.batchSize, p.seed, p.shuffle, p.padId);
  const rows: StepRow[] = [];
  try {
    for (let step = 1; step <= p.steps; step++) {
      const acc = new StepAccumulator();
      const batch = stream.next();
      const out = await trainS.run({
        input_ids: { data: batch.inputIds, dims: batch.dims }, labels: { data: batch.labels, dims: batch.dims },
        [built.lossScale!]: { data: Float32Array.of(PLANT * scaler.scale), dims: [] }, ...feeds(params),
      });
      acc.add(out, built.outputs.grads, batch);
      const gradFeeds = acc.gradFeeds(shapes);
      let zeros = 0;
      let total = 0;
      for (const f of Object.values(gradFeeds)) for (const v of f.data as Float32Array) [zeros, total] = [zeros + (v === 0 ? 1 : 0), total + 1];
      const updated = await updateS.run({
        ...scalarFeeds({ lr: lrForUpdate(step, { kind: p.schedule, lr: p.lr, warmupSteps: 0, totalSteps: p.steps }), step, tokenCount: acc.countedTokens, lossScale: scaler.scale }),
        ...feeds(params), ...gradFeeds, ...feeds(opt, (k) => k.slice(k.indexOf('.') + 1)),
      });
      for (const name of params.keys()) params.set(name, updated[`new.${name}`].data as Float32Array);
      for (const key of opt.keys()) opt.set(key, updated[`new_${key}`].data as Float32Array);
      const used = scaler.scale;
      if (scaleCfg.kind !== 'none') scaler.update((updated.found_inf.data as Float32Array)[0] !== 0);
      rows.push({ loss: acc.lossSum / acc.countedTokens, zeroFraction: zeros / total, scale: used, skipped: scaler.skippedSteps });
    }
  } finally {
    await Promise.all([trainS.release(), updateS.release()]);
  }
  return rows;
}

function summarize(rows: StepRow[], seconds: number, fp32Last: number | null, scaled: boolean): RunReport {
  const last = rows.at(-1)!;
  const round = (x: number) => Number(x.toPrecision(6));
  return {
    first_loss: round(rows[0].loss), last_loss: round(last.loss),
    rel_diff_vs_fp32: fp32Last === null ? null : Number((Math.abs(last.loss - fp32Last) / fp32Last).toPrecision(3)),
    zero_grad_fraction_mean: round(rows.reduce((a, r) => a + r.zeroFraction, 0) / rows.length), zero_grad_fraction_last: round(last.zeroFraction),
    zero_gradient_steps: rows.filter((r) => r.zeroFraction === 1).length,
    loss_scale_last: scaled ? last.scale : null, skipped_steps: scaled ? last.skipped : null, seconds: Math.round(seconds * 10) / 10,
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ftstudio-underflow-'));
  try {
    const llama = TINY_MODELS.find((m) => m.id === 'llama')!;
    const modelDir = writeTinyModel(join(work, 'model'), { ...llama, config: { ...llama.config, num_hidden_layers: 1 } });
    const base = benchTrainParams(modelDir, work, { batch: BATCH, seq: SEQ, steps: STEPS, threads: THREADS, rank: RANK });
    writeData(base.trainData, base.spec.vocabSize);
    const common: TrainJobParams = { ...base, lr: LR, eps: 1e-20, maxGradNorm: 0, seed: 3 };
    const runs: [string, Partial<TrainJobParams>][] = [
      ['fp32', {}],
      ['fp16_no_scaling', { precision: 'fp16', lossScale: 'none' }],
      ['fp16_dynamic', { precision: 'fp16', lossScale: 'dynamic' }],
    ];
    const report: Record<string, RunReport> = {};
    let fp32Last: number | null = null;
    for (const [name, extra] of runs) {
      const t0 = performance.now();
      const rows = await trainOnce({ ...common, ...extra }, join(work, name));
      report[name] = summarize(rows, (performance.now() - t0) / 1000, fp32Last, extra.lossScale === 'dynamic');
      fp32Last ??= rows.at(-1)!.loss;
    }
    const [fp32, none, dyn] = [report.fp32, report.fp16_no_scaling, report.fp16_dynamic];
    console.log(JSON.stringify({
      bench: 'precision-underflow',
      setup: {
        model: 'tiny Llama (H 64, 1 layer, V 256), LoRA on all linear layers', planted_loss_multiplier: '2^-26', lora_rank: RANK,
        batch: BATCH, seq: SEQ, steps: STEPS, lr: LR, optimizer: 'adamw eps 1e-20, no clipping', threads: THREADS, fp16: NATIVE ? `matmuls on ${PROVIDER}'s float16 kernels` : `emulated on ${PROVIDER}`, provider: PROVIDER,
      },
      runs: report,
      verdict: {
        fp32_learns: fp32.last_loss < 0.8 * fp32.first_loss,
        no_scaling_stalls: none.zero_gradient_steps === STEPS && none.last_loss === none.first_loss,
        dynamic_within_2pct: (dyn.rel_diff_vs_fp32 ?? 1) <= 0.02,
      },
    }, null, 2));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
