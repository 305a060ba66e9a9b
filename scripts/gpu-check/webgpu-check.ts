// The engine on onnxruntime's WebGPU provider (over Vulkan on an NVIDIA GPU): does it load, which low-precision kernels
// does it really have, does the emulated rounding stay bit-exact there (GPUs may flush subnormals), and how do our
// training runs compare: fp32, fp16 emulated, fp16 with the matmuls on the provider's float16 kernels (native), bf16
// emulated — on the CPU and on WebGPU, on the job write-autocast-job.ts wrote (the same steps autocast_on_gpu.py runs
// through PyTorch), and step times on a larger model. Prints one JSON document.
//
//   npx tsx scripts/gpu-check/webgpu-check.ts JOB_DIR [--quick] [--rounding-only] [--variants=a,b]
//   (--quick: no larger-model timing; --rounding-only: no training; --variants: only these training variants)
// On the device machine it runs as one esbuild bundle (scripts/gpu-check/pack.sh), with Node and onnxruntime-node carried.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrainJobParams, TrainMetricsRow } from '../../src-main/common/train';
import { readPeftAdapter } from '../../src-main/engine/io/peft-adapter';
import { Graph } from '../../src-main/engine/ir/graph';
import { serializeModel } from '../../src-main/engine/onnx/serialize';
import { BF16, FP16, FP8_E4M3, FP8_E5M2, type FloatFormat } from '../../src-main/engine/precision/formats';
import { roundedValue, setFlushSafeRounding, type EmulatedFormatId } from '../../src-main/engine/precision/emulate';
import { probeKernels } from '../../src-main/services/hardware/kernel-probe';
import { EngineSession, probeExecutionProviders, type ProviderName } from '../../src-main/engine/runtime';
import { runKernelProbe, type ProbeDType, type ProbeOp } from '../../src-main/engine/runtime/kernel-probe';
import { runTraining } from '../../src-main/engine/train/trainer';
import { readModelConfig } from '../../src-main/models/hf/config';
import { TINY_MODELS, writeTinyModel } from '../../tests/reference/tiny-models';
import { writeExamples } from '../../tests/unit/engine/train/helpers';

const job = resolve(process.argv[2] ?? 'gpu-check-job');
const quick = process.argv.includes('--quick');
// --rounding-only: sections 1-3 (providers, kernels, roundings), no training.
const roundingOnly = process.argv.includes('--rounding-only');
// --variants a,b,…: only these training variants (by name, e.g. webgpu-fp16-native) in sections 4 and 5.
const only = process.argv.find((a) => a.startsWith('--variants='))?.slice('--variants='.length).split(',');
const threads = cpus().length;
const work = mkdtempSync(join(tmpdir(), 'ftstudio-webgpu-'));
const report: Record<string, unknown> = { threads };
const note = (k: string, v: unknown) => {
  report[k] = v;
  console.error(`[webgpu-check] ${k}: ${JSON.stringify(v).slice(0, 400)}`);
};

// 1. Which providers run an Add for real (placement read from a profile).
const providers = await probeExecutionProviders(['cpu', 'webgpu']);
note('providers', providers);
const webgpu = providers.find((p) => p.name === 'webgpu')?.works === true;

// 2. Which low-precision kernels the provider has (tiny graphs, profiled).
if (webgpu) {
  const n = 64;
  const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5);
  const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.7) * 0.5);
  const kernels: Record<string, unknown>[] = [];
  for (const dtype of ['float16', 'bfloat16', 'Float8E4M3FN', 'Float8E5M2'] as ProbeDType[]) {
    const ops: ProbeOp[] = dtype.startsWith('Float8') ? ['Cast'] : ['MatMul', 'Add', 'Softmax'];
    for (const op of ops) {
      const r = await runKernelProbe('webgpu', op, dtype, a, b, n);
      kernels.push({ op, dtype, ran: r.ran, error: r.error, placed: [...new Set(r.kernels.map((k) => `${k.op}@${k.provider}:${k.inputTypes.join('/')}`))] });
    }
  }
  note('kernels', kernels);
}

// 3. The engine's rounding (roundedValue) on each provider against formats.ts, over every fp16 and bf16 value, their
// midpoints (ties), fp32 subnormals and a log-uniform spread: bit mismatches per format. Since the Cast pairs
// (ops/cast-round.ts) it rounds fp16, and bf16 in non-flush-safe graphs, by a Cast pair; the rest by fp32 arithmetic.
// Runs 1 and 2 in results/ predate that: there every format rounded by arithmetic.
function testValues(): Float32Array {
  const v: number[] = [];
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let bits = 0; bits < 65536; bits++) {
    v.push(FP16.decode(bits), BF16.decode(bits));
    u32[0] = (bits << 16) | 0x8000; // bf16 midpoints
    v.push(f32[0]);
    u32[0] = bits * 65537; // a spread over every exponent, subnormals included
    v.push(f32[0]);
  }
  for (let i = 1; i < 4096; i++) {
    u32[0] = i * 977; // fp32 subnormals
    v.push(f32[0], -f32[0]);
  }
  return Float32Array.from(v.filter((x) => Number.isFinite(x)));
}
const FORMATS: [EmulatedFormatId, FloatFormat][] = [['fp16', FP16], ['bf16', BF16], ['fp8e4m3', FP8_E4M3], ['fp8e5m2', FP8_E5M2]];
/** fp32 subnormals: a device that flushes them reads them as zero, so no rounding of them can match there. */
const isF32Subnormal = (v: number) => v !== 0 && Math.abs(v) < 2 ** -126;
async function roundingMismatches(provider: ProviderName, flushSafe: boolean): Promise<Record<string, unknown>> {
  const x = testValues();
  const g = new Graph('round');
  if (flushSafe) setFlushSafeRounding(g);
  const inp = g.input('x', 'float32', [x.length]);
  for (const [id] of FORMATS) g.output(roundedValue(g, inp, id), id);
  const s = await EngineSession.create(serializeModel(g), { providers: [provider], intraOpThreads: threads });
  try {
    const out = await s.run({ x: { data: x, dims: [x.length] } });
    const res: Record<string, unknown> = { values: x.length, f32_subnormal_inputs: x.filter(isF32Subnormal).length };
    for (const [id, F] of FORMATS) {
      const y = out[id].data as Float32Array;
      const got = new Uint32Array(y.buffer, y.byteOffset, y.length);
      const want = new Uint32Array(Float32Array.from(x, (v) => F.round(v)).buffer);
      let bad = 0;
      let badSubnormalInput = 0;
      let example = '';
      for (let i = 0; i < x.length; i++) {
        const nanBoth = Number.isNaN(y[i]) && Number.isNaN(F.round(x[i]));
        if (got[i] === want[i] || nanBoth) continue;
        if (isF32Subnormal(x[i])) {
          badSubnormalInput++;
          continue;
        }
        if (!bad) example = `${x[i]} → ${y[i]} (want ${F.round(x[i])})`;
        bad++;
      }
      res[id] = { mismatches: bad, f32_subnormal_input_mismatches: badSubnormalInput, ...(example ? { example } : {}) };
    }
    return res;
  } finally {
    await s.release();
  }
}
/**
 * The Cast pair (ops/cast-round.ts) on a provider, fp16 and bf16: its mismatches with formats.ts by the input's range
 * (the format's normal range, its subnormal range, beyond its max). Run 4 decided that GPU graphs round fp16 with it.
 */
async function castPairMismatches(provider: ProviderName): Promise<Record<string, unknown>> {
  const x = testValues().filter((v) => !isF32Subnormal(v));
  const g = new Graph('cast_round');
  const inp = g.input('x', 'float32', [x.length]);
  g.output(g.castRound(inp, 'fp16'), 'fp16');
  g.output(g.castRound(inp, 'bf16'), 'bf16');
  const s = await EngineSession.create(serializeModel(g), { providers: [provider], intraOpThreads: threads });
  try {
    const out = await s.run({ x: { data: x, dims: [x.length] } });
    const res: Record<string, unknown> = { values: x.length };
    for (const [id, F] of [['fp16', FP16], ['bf16', BF16]] as const) {
      const y = out[id].data as Float32Array;
      const got = new Uint32Array(y.buffer, y.byteOffset, y.length);
      const want = new Uint32Array(Float32Array.from(x, (v) => F.round(v)).buffer);
      const bad = { normal: 0, subnormal: 0, beyond_max: 0, nan: 0 };
      const examples: string[] = [];
      for (let i = 0; i < x.length; i++) {
        if (got[i] === want[i] || (Number.isNaN(y[i]) && Number.isNaN(F.round(x[i])))) continue;
        const a = Math.abs(x[i]);
        const range = Number.isNaN(x[i]) ? 'nan' : a > F.max ? 'beyond_max' : a < F.minNormal ? 'subnormal' : 'normal';
        bad[range]++;
        if (examples.length < 4) examples.push(`${x[i]} → ${y[i]} (want ${F.round(x[i])})`);
      }
      res[id] = { mismatches: bad, examples };
    }
    return res;
  } finally {
    await s.release();
  }
}

note('rounding_cpu', await roundingMismatches('cpu', false));
note('cast_pair_rounding_cpu', await castPairMismatches('cpu'));
note('rounding_cpu_flush_safe', await roundingMismatches('cpu', true));
if (webgpu) {
  note('rounding_webgpu', await roundingMismatches('webgpu', false));
  note('rounding_webgpu_flush_safe', await roundingMismatches('webgpu', true));
  note('cast_pair_rounding_webgpu', await castPairMismatches('webgpu'));
  // The product's own verdict on the provider (what `ftstudio doctor` and --provider decide with).
  note('kernel_support_webgpu', await probeKernels('webgpu'));
}

if (roundingOnly) {
  console.log(JSON.stringify(report, null, 1));
  process.exit(0);
}

// 4. The autocast job's training run, as the engine does it, in every variant this machine can run.
interface Variant { name: string; provider: ProviderName; precision: 'fp32' | 'fp16' | 'bf16'; native?: boolean }
const jobSpec = JSON.parse(readFileSync(join(job, 'job.json'), 'utf8')) as { steps: unknown[]; batch_size: number; grad_accum: number; seed: number };
async function trainVariant(v: Variant, modelDir: string, data: string, initAdapter: string | null, steps: number, batch: [number, number]) {
  const spec = readModelConfig(modelDir);
  const params: TrainJobParams = {
    modelDir, spec, trainData: data, evalData: null, padId: 0, method: 'lora',
    lora: { r: 4, alpha: 8, targets: 'all-linear', dropout: 0, init: 'gaussian' }, initAdapter,
    optimizer: 'adamw', lr: 5e-3, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1,
    schedule: 'linear', warmupSteps: 2, batchSize: batch[0], gradAccum: batch[1], steps, seed: 7, shuffle: true,
    evalEvery: 0, saveEvery: 0, threads, ...(v.precision !== 'fp32' ? { precision: v.precision } : {}),
    ...(v.provider !== 'cpu' ? { provider: v.provider } : {}), ...(v.native ? { nativePrecision: true } : {}),
  };
  const runDir = mkdtempSync(join(work, `${v.name}-`));
  const t0 = performance.now();
  try {
    await runTraining(params, runDir, { emit: () => {}, stopReason: () => null });
  } catch (e) {
    return { error: String((e as Error).message ?? e).split('\n')[0].slice(0, 400) };
  }
  const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetricsRow).filter((r) => 'loss' in r);
  const adapter = readPeftAdapter(join(runDir, 'adapter'));
  return {
    seconds: (performance.now() - t0) / 1000, losses: rows.map((r) => r.loss), skipped: rows.filter((r) => r.overflow === 1).length,
    scales: rows.map((r) => r.loss_scale ?? 1), stepSeconds: rows.map((r) => r.elapsed_s), adapter,
  };
}
const ALL_VARIANTS: Variant[] = [
  { name: 'cpu-fp32', provider: 'cpu', precision: 'fp32' },
  { name: 'cpu-fp16-emulated', provider: 'cpu', precision: 'fp16' },
  { name: 'cpu-fp16-native', provider: 'cpu', precision: 'fp16', native: true },
  { name: 'cpu-bf16-emulated', provider: 'cpu', precision: 'bf16' },
  ...(webgpu ? [
    { name: 'webgpu-fp32', provider: 'webgpu', precision: 'fp32' },
    { name: 'webgpu-fp16-emulated', provider: 'webgpu', precision: 'fp16' },
    { name: 'webgpu-fp16-native', provider: 'webgpu', precision: 'fp16', native: true },
    { name: 'webgpu-bf16-emulated', provider: 'webgpu', precision: 'bf16' },
  ] as Variant[] : []),
];
const VARIANTS = only ? ALL_VARIANTS.filter((v) => only.includes(v.name)) : ALL_VARIANTS;
const relMax = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));
function adapterRel(a: ReturnType<typeof readPeftAdapter>, b: ReturnType<typeof readPeftAdapter>): number {
  let worst = 0;
  for (const [name, t] of a.tensors) {
    const u = b.tensors.get(name)!.data;
    const scale = Math.max(...Array.from(u, Math.abs)) || 1;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i] - u[i]) / scale);
  }
  return worst;
}
const runs: Record<string, Awaited<ReturnType<typeof trainVariant>>> = {};
for (const v of VARIANTS) {
  runs[v.name] = await trainVariant(v, join(job, 'model'), join(job, 'train.jsonl'), join(job, 'init-adapter'), jobSpec.steps.length, [jobSpec.batch_size, jobSpec.grad_accum]);
  console.error(`[webgpu-check] ${v.name}: ${JSON.stringify({ ...runs[v.name], adapter: undefined }).slice(0, 300)}`);
}
const pairs: [string, string][] = [
  ['cpu-fp16-native', 'cpu-fp16-emulated'], ['webgpu-fp32', 'cpu-fp32'], ['webgpu-fp16-emulated', 'cpu-fp16-emulated'],
  ['webgpu-fp16-native', 'cpu-fp16-emulated'], ['webgpu-bf16-emulated', 'cpu-bf16-emulated'], ['cpu-fp16-emulated', 'cpu-fp32'],
  ['webgpu-fp16-native', 'cpu-fp32'],
];
const comparisons: Record<string, unknown> = {};
for (const [a, b] of pairs) {
  const ra = runs[a];
  const rb = runs[b];
  if (!ra || !rb || 'error' in ra || 'error' in rb) continue;
  comparisons[`${a} vs ${b}`] = { loss_max_rel: relMax(ra.losses, rb.losses), adapter_max_rel: adapterRel(ra.adapter, rb.adapter), skipped: [ra.skipped, rb.skipped] };
}
note('job_runs', Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, 'error' in r ? r : { ...r, adapter: undefined }])));
note('job_comparisons', comparisons);

// 5. Step time on a larger model (LoRA r 16 on every projection, batch 4 × 256): what running fp16 for real buys.
if (!quick) {
  // WEBGPU_CHECK_SMALL=1: a 2-layer H 256 model instead, to try the script on a small CPU.
  const small = process.env.WEBGPU_CHECK_SMALL === '1';
  const shape = small
    ? { hidden_size: 256, intermediate_size: 704, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 8192 }
    : { hidden_size: 1024, intermediate_size: 2816, num_hidden_layers: 8, num_attention_heads: 16, num_key_value_heads: 8, vocab_size: 8192 };
  const llama = TINY_MODELS.find((m) => m.id === 'llama')!;
  const big = writeTinyModel(join(work, 'big'), { ...llama, id: 'big', seed: 5, config: { ...llama.config, ...shape } });
  const bigData = writeExamples(join(work, 'big.jsonl'), Array.from({ length: 64 }, (_, i) => {
    const ids = Array.from({ length: 256 }, (_, j) => (i * 131 + j * 17) % 8192);
    return { inputIds: ids, labels: ids.map((t, j) => (j < 32 ? -100 : t)) };
  }));
  const timing: Record<string, unknown> = {};
  // The CPU's fp16 runs were measured once (3.2 and 2.3 s/step on 16 cores): slow, and not what this section is for.
  for (const v of VARIANTS.filter((x) => x.precision !== 'bf16' && (x.provider !== 'cpu' || x.precision === 'fp32'))) {
    const r = await trainVariant(v, big, bigData, null, 6, [4, 1]);
    if ('error' in r) {
      timing[v.name] = r;
      continue;
    }
    const per = r.stepSeconds.map((t, i) => t - (i ? r.stepSeconds[i - 1] : 0));
    timing[v.name] = { step_s_after_first: per.slice(1).map((t) => +t.toFixed(3)), first_step_s: +per[0].toFixed(2), total_s: +r.seconds.toFixed(1), losses: r.losses.map((l) => +l.toFixed(4)) };
    console.error(`[webgpu-check] big ${v.name}: ${JSON.stringify(timing[v.name])}`);
  }
  note('big_model_timing', { model: `llama-style H ${shape.hidden_size}, ${shape.num_hidden_layers} layers, vocab 8192, LoRA r 4 all-linear, batch 4 × 256`, ...timing });
}

rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(report, null, 1));
