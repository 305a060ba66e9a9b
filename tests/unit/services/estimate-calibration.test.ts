// CPU calibration over the API: a real `calibrate` engine job (small budget) fills the home's cache, after which a CPU
// estimate has times; a completed training run of the same model is the second calibration and wins when present.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../src-main/common/contract';
import type { Job } from '../../../src-main/common/jobs';
import { catalogModel } from '../../../src-main/estimate';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../src-main/services/app-services';
import { createEstimateService } from '../../../src-main/services/estimate-service';
import { calibrationFile, currentMachine, readCalibration } from '../../../src-main/services/estimate/calibration';
import { latestMeasuredRun } from '../../../src-main/services/estimate/calibration-runs';
import { createMemoryClient } from '../../../src-main/services/memory-transport';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
let home: string;
let services: AppServices;
let client: ApiClient;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ftstudio-calibrate-'));
  services = await createAppServices({ home, mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
  client = createMemoryClient(services.handlers, services.hub);
});
afterAll(async () => {
  await services?.close();
  rmSync(home, { recursive: true, force: true });
});

const cpuRun = { model: 'Qwen2.5-0.5B', method: 'lora', rank: 8, precision: 'fp32', batchSize: 1, seqLen: 512, device: 'cpu', profile: 'ours', tokens: 1_000_000 } as const;

async function settled(id: string): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const job = await client.call('jobs.get', { id });
    if (!['queued', 'running'].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('calibrate job did not finish');
}

describe('estimate.calibrate', () => {
  it('no calibration: no CPU time; a calibrate job measures GFLOP/s, caches it in the home, and CPU estimates get times', async () => {
    expect(await client.call('estimate.calibration', {})).toBeNull();
    expect((await client.call('estimate.run', cpuRun)).time).toBeNull();

    const job = await client.call('estimate.calibrate', { budgetS: 0.3, n: 256 });
    expect(job.kind).toBe('calibrate');
    const done = await settled(job.id);
    expect(done.state, done.reason ?? '').toBe('completed');

    const cal = (await client.call('estimate.calibration', {}))!;
    console.log(`calibration: ${cal.gflops.toFixed(1)} GFLOP/s on ${cal.threads} threads, ${cal.cpuModel}, ORT ${cal.ortVersion}, ${cal.runs} runs in ${cal.seconds.toFixed(2)} s`);
    expect(cal).toMatchObject({ n: 256, threads: currentMachine().threads, ortVersion: '1.30.0' });
    expect(cal.gflops).toBeGreaterThan(0.5);
    expect(cal.seconds).toBeLessThan(5);
    expect(Date.now() - Date.parse(cal.measuredAt)).toBeLessThan(60_000);
    // Another thread count is another key: not valid for it.
    expect(await client.call('estimate.calibration', { threads: cal.threads + 1 })).toBeNull();

    const r = await client.call('estimate.run', cpuRun);
    expect(r.time).not.toBeNull();
    expect(r.time!.basis).toBe('cpu-benchmark');
    expect(r.time!.source).toContain(`${cal.gflops.toFixed(0)} GFLOP/s`);
    expect(r.time!.totalSeconds).toBeGreaterThan(0);
    // rate = GFLOP/s × 0.5 utilisation / FLOPs per token.
    expect(r.time!.tokensPerSecond).toBeCloseTo((cal.gflops * 1e9 * 0.5) / (r.time!.flopsPerStep / r.time!.tokensPerStep), 6);
    console.log(`ETA ${cpuRun.model} LoRA r8 × 1M tokens on this CPU: ${(r.time!.totalSeconds! / 3600).toFixed(1)} h at ${r.time!.tokensPerSecond.toFixed(0)} tokens/s`);
    // A GPU estimate is untouched by the CPU's calibration.
    expect((await client.call('estimate.run', { ...cpuRun, device: 'h100-sxm' })).time!.basis).toBe('gpu-peak');
  }, 60_000);

  it('a cache from another CPU or runtime is stale; a torn file is no calibration', () => {
    const file = join(home, 'other.json');
    const mine = { gflops: 50, n: 1024, runs: 5, seconds: 3, measuredAt: new Date().toISOString(), ...currentMachine() };
    writeFileSync(file, JSON.stringify(mine));
    expect(readCalibration(file)).toMatchObject({ gflops: 50 });
    writeFileSync(file, JSON.stringify({ ...mine, cpuModel: 'Some Other CPU' }));
    expect(readCalibration(file)).toBeNull();
    writeFileSync(file, JSON.stringify({ ...mine, ortVersion: '0.1.0' }));
    expect(readCalibration(file)).toBeNull();
    writeFileSync(file, '{"gflops": 5');
    expect(readCalibration(file)).toBeNull();
    expect(JSON.parse(readFileSync(calibrationFile(home), 'utf8')).gflops).toBeGreaterThan(0); // the real one is untouched
  });
});

describe('measured tokens/s of earlier runs', () => {
  const spec = catalogModel('Qwen2.5-0.5B')!;
  function trainJob(id: string, over: Record<string, unknown>, rates: number[], endedAt: string): Job {
    const runDir = join(home, 'runs', id);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'metrics.jsonl'), rates.map((tps, i) => JSON.stringify({ step: i + 1, loss: 2, tokens_per_s: tps, tokens: 512 })).join('\n'));
    return {
      id, kind: 'train', state: 'completed', progress: 1, message: null, reason: null, resumable: false, runDir, pid: null,
      createdAt: endedAt, startedAt: endedAt, endedAt,
      params: { modelDir: '/m', spec, trainData: 'x', evalData: null, padId: 0, method: 'lora', lora: { r: 8, alpha: 16, dropout: 0, targets: 'all-linear', init: 'gaussian' }, initAdapter: null, optimizer: 'adamw', lr: 1e-4, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, maxGradNorm: 1, schedule: 'constant', warmupSteps: 0, batchSize: 1, gradAccum: 1, steps: 4, seed: 1, shuffle: true, evalEvery: 0, saveEvery: 0, threads: 2, ...over },
    };
  }

  it('picks the latest completed run of the same model and precision (median after the first step), and the estimate says so', async () => {
    const jobs = [
      trainJob('aaaaaaaa-old', {}, [10, 100, 110, 120], '2026-01-01T00:00:00Z'),
      trainJob('bbbbbbbb-new', {}, [10, 200, 210, 220], '2026-02-01T00:00:00Z'),
      trainJob('cccccccc-bf16', { precision: 'bf16' }, [10, 50, 50], '2026-03-01T00:00:00Z'),
      trainJob('dddddddd-other', { spec: catalogModel('Qwen2.5-1.5B') }, [10, 999, 999], '2026-03-02T00:00:00Z'),
    ];
    expect(latestMeasuredRun(jobs, spec, 'fp32')).toMatchObject({ jobId: 'bbbbbbbb-new', tokensPerSecond: 210 });
    expect(latestMeasuredRun(jobs, spec, 'bf16')).toMatchObject({ jobId: 'cccccccc-bf16', tokensPerSecond: 50 });
    expect(latestMeasuredRun(jobs, catalogModel('Llama-2-7B')!, 'fp32')).toBeNull();

    const est = createEstimateService({ calibrationFile: calibrationFile(home), jobs: async () => jobs });
    // The measured run's own settings (LoRA r8 all-linear, 512 tokens): its rate comes back unchanged.
    const same = await est.run({ ...cpuRun, targets: 'all-linear', optimizer: 'adamw', gradAccum: 1, checkpointing: false, epochs: 1 });
    expect(same.time!.basis).toBe('measured-run');
    expect(same.time!.tokensPerSecond).toBeCloseTo(210, 6);
    expect(same.time!.source).toContain('training run bbbbbbbb (2026-02-01)');
    expect(same.time!.otherRate).toMatchObject({ basis: 'cpu-benchmark' }); // the MatMul benchmark of the test above, to compare
    // Checkpointing adds a forward: the measured rate is rescaled by the FLOPs per token.
    const ckpt = await est.run({ ...cpuRun, targets: 'all-linear', optimizer: 'adamw', gradAccum: 1, checkpointing: true, epochs: 1 });
    expect(ckpt.time!.tokensPerSecond).toBeLessThan(210 * 0.8);
  });
});
