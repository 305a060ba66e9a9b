// One configuration of tests/bench/estimate-vs-engine.bench.ts, in its own process so its peak RSS is its own: trains
// STEPS steps of LoRA (all-linear, rank R, AdamW, fp32) with the real trainer and prints
// {peak_rss_mib, rss_after_imports_mib, step_s} as JSON.
// Usage: node --import tsx tests/bench/estimate-vs-engine-run.ts MODEL_DIR BATCH SEQ STEPS THREADS RANK
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining } from '../../src-main/engine/train/trainer';
import { benchTrainParams } from './bench-run';

const [modelDir, batchArg, seqArg, stepsArg, threadsArg, rankArg] = process.argv.slice(2);
const [batch, seq, steps, threads, rank] = [batchArg, seqArg, stepsArg, threadsArg, rankArg].map(Number);
// What the process holds before any graph exists (Node + tsx + the engine's modules + onnxruntime-node loaded).
const rssAfterImports = process.memoryUsage().rss / 2 ** 20;

const work = mkdtempSync(join(tmpdir(), 'ftstudio-estbench-'));
try {
  const params = benchTrainParams(modelDir, work, { batch, seq, steps, threads, rank });
  // Where the memory goes: RSS when the graphs are about to compile, once the sessions exist (the first stopReason poll,
  // i.e. after ORT loaded and pre-packed the weights), after each step, and the largest 5 ms sample within each step.
  const mib = () => process.memoryUsage().rss / 2 ** 20;
  const phases: Record<string, number> = {};
  let phase = 'setup';
  let phaseMax = 0;
  const sampler = setInterval(() => { phaseMax = Math.max(phaseMax, mib()); }, 5);
  const mark = (next: string) => { phases[`${phase}_max`] = Math.round(Math.max(phaseMax, mib())); phaseMax = 0; phase = next; };
  let polls = 0;
  const t0 = performance.now();
  await runTraining(params, join(work, 'run'), {
    emit: (e) => {
      if (e.type === 'log' && e.text.startsWith('compiling')) { phases.before_compile = Math.round(mib()); mark('compile'); }
      if (e.type === 'metrics' && 'loss' in e.values) { phases[`after_step_${polls}`] = Math.round(mib()); mark(`after_step_${polls}`); }
    },
    stopReason: () => {
      polls += 1;
      if (polls === 1) { phases.sessions_ready = Math.round(mib()); mark('step_1'); } else mark(`step_${polls}`);
      return null;
    },
  });
  clearInterval(sampler);
  mark('end');
  const totalS = (performance.now() - t0) / 1000;
  const metrics = readFileSync(join(work, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  process.stdout.write(JSON.stringify({
    peak_rss_mib: process.resourceUsage().maxRSS / 1024, rss_after_imports_mib: rssAfterImports,
    rss_end_mib: process.memoryUsage().rss / 2 ** 20, rss_phases_mib: phases, steps_done: metrics.length, run_s: totalS,
  }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
