// Benchmark (issue 5, "against our own engine"): the estimator's `ours` CPU profile against the peak RSS of the real
// trainer, over configurations spanning model size (H 256–768, 4–12 layers, V 4096–16384, F32 and BF16 storage), batch
// (1–8), sequence length (64–512) and LoRA rank (4–64). Every run: LoRA all-linear, AdamW, fp32 compute, no
// checkpointing, 3 steps, 2 threads, in a fresh child process (tests/bench/estimate-vs-engine-run.ts) so each peak RSS
// (process.resourceUsage().maxRSS) is its own. Target: predicted within ±15% of measured for every configuration.
// Run: npx tsx tests/bench/estimate-vs-engine.bench.ts [only-ids,comma-separated]   Prints a JSON table + summary.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimate } from '../../src-main/estimate';
import { readModelConfig } from '../../src-main/models/hf/config';
import { writeTinyModel, type StoreDtype } from '../reference/tiny-models';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const [STEPS, THREADS, TOLERANCE] = [3, 2, 0.15];
const MB = 1e6;

interface Shape { H: number; I: number; L: number; nh: number; nkv: number; V: number; dtype: StoreDtype }
const MODELS: Record<string, Shape> = {
  s256: { H: 256, I: 704, L: 4, nh: 4, nkv: 2, V: 4096, dtype: 'F32' },
  s384v16k: { H: 384, I: 1024, L: 6, nh: 6, nkv: 2, V: 16384, dtype: 'F32' },
  m512: { H: 512, I: 1408, L: 8, nh: 8, nkv: 4, V: 8192, dtype: 'F32' },
  m512bf16: { H: 512, I: 1408, L: 8, nh: 8, nkv: 4, V: 8192, dtype: 'BF16' },
  l768: { H: 768, I: 2048, L: 12, nh: 12, nkv: 4, V: 16384, dtype: 'F32' },
};

interface Run { id: string; model: keyof typeof MODELS; B: number; S: number; r: number }
const RUNS: Run[] = [
  { id: 'a', model: 's256', B: 1, S: 64, r: 4 },
  { id: 'b', model: 's256', B: 8, S: 128, r: 8 },
  { id: 'c', model: 's256', B: 2, S: 512, r: 16 },
  { id: 'd', model: 's384v16k', B: 8, S: 64, r: 4 },
  { id: 'e', model: 'm512', B: 1, S: 128, r: 16 },
  { id: 'f', model: 'm512', B: 4, S: 256, r: 16 },
  { id: 'g', model: 'm512', B: 2, S: 256, r: 64 },
  { id: 'h', model: 'm512bf16', B: 2, S: 128, r: 8 },
  { id: 'i', model: 'l768', B: 1, S: 128, r: 8 },
  { id: 'j', model: 'l768', B: 2, S: 256, r: 32 },
];

function hfConfig(m: Shape): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'], hidden_size: m.H, intermediate_size: m.I, num_hidden_layers: m.L, num_attention_heads: m.nh,
    num_key_value_heads: m.nkv, vocab_size: m.V, max_position_embeddings: 2048, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: false,
  };
}

const only = process.argv[2]?.split(',');
const runs = only ? RUNS.filter((r) => only.includes(r.id)) : RUNS;
const work = mkdtempSync(join(tmpdir(), 'ftstudio-estbench-model-'));
const rows: Record<string, unknown>[] = [];
try {
  const dirs = new Map<string, string>();
  for (const run of runs) {
    const m = MODELS[run.model];
    let dir = dirs.get(run.model);
    if (!dir) {
      dir = writeTinyModel(join(work, run.model), { id: run.model, dtype: m.dtype, seed: 1, config: hfConfig(m) });
      dirs.set(run.model, dir);
    }
    const spec = readModelConfig(dir);
    const report = estimate({
      spec, method: 'lora', lora: { r: run.r, targets: 'all-linear', dropout: 0 }, precision: 'fp32', optimizer: 'adamw',
      batchSize: run.B, seqLen: run.S, gradAccum: 1, checkpointing: false, profile: 'ours', device: 'cpu',
      cpu: { memoryBytes: totalmem(), matmulGflops: null, powerW: null },
    });
    const env = { ...process.env, OMP_NUM_THREADS: String(THREADS) };
    const measured = JSON.parse(execFileSync(process.execPath,
      ['--import', 'tsx', join(ROOT, 'tests/bench/estimate-vs-engine-run.ts'), dir, String(run.B), String(run.S), String(STEPS), String(THREADS), String(run.r)],
      { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 16 << 20 }));
    const predictedMB = report.memory.totalBytes / MB;
    const measuredMB = (measured.peak_rss_mib * 2 ** 20) / MB;
    const err = (predictedMB - measuredMB) / measuredMB;
    const row = {
      id: run.id,
      config: `${run.model} (H${m.H} L${m.L} I${m.I} V${m.V} ${m.dtype}) B${run.B} S${run.S} r${run.r}`,
      predicted_mb: Math.round(predictedMB), measured_mb: Math.round(measuredMB), error_pct: Number((100 * err).toFixed(1)),
      within_15pct: Math.abs(err) <= TOLERANCE ? 'yes' : 'no',
      components_mb: Object.fromEntries(report.memory.components.map((c) => [c.key, Number((c.bytes / MB).toFixed(1))])),
      rss_after_imports_mb: Math.round((measured.rss_after_imports_mib * 2 ** 20) / MB), rss_phases_mib: measured.rss_phases_mib, run_s: Number(measured.run_s.toFixed(1)),
    };
    rows.push(row);
    process.stderr.write(`${row.id} ${row.config}: predicted ${row.predicted_mb} MB, measured ${row.measured_mb} MB (${row.error_pct}%)\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const within = rows.filter((r) => r.within_15pct === 'yes').length;
console.log(JSON.stringify({
  benchmark: 'estimator ours/cpu vs measured peak RSS: LoRA all-linear, AdamW, fp32, 3 steps, 2 threads, one process per config',
  tolerance_pct: 100 * TOLERANCE,
  table: rows,
  summary: { within, total: rows.length, all_within: within === rows.length },
}, null, 2));
