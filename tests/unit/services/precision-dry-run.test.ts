// The Precision wizard's dry run end to end: precision.dryRun starts fp32, fp16 unscaled and fp16 with dynamic loss
// scaling on the tiny chat model (engine processes under the supervisor); precision.dryRunResult compares them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../src-main/common/contract';
import type { DryRunResult } from '../../../src-main/common/precision/dry-run';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../src-main/services/app-services';
import { createMemoryClient } from '../../../src-main/services/memory-transport';
import { defaultTelemetryEvery, dryRunPlans } from '../../../src-main/services/precision/dry-run';
import { writeCapitalsData, writeTinyChatModel } from '../../fixtures/tiny-chat-model';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
const dir = mkdtempSync(join(tmpdir(), 'ftstudio-dryrun-'));
let services: AppServices;
let client: ApiClient;
let model: string;
let data: string;

beforeAll(async () => {
  model = writeTinyChatModel(join(dir, 'model'));
  data = writeCapitalsData(join(dir, 'data')).train;
  services = await createAppServices({ home: join(dir, 'home'), mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
  client = createMemoryClient(services.handlers, services.hub);
});
afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function finished(jobIds: string[]): Promise<DryRunResult> {
  let result = await client.call('precision.dryRunResult', { jobIds });
  for (const until = Date.now() + 150_000; !result.done && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 300));
    result = await client.call('precision.dryRunResult', { jobIds });
  }
  return result;
}

describe('dry-run plans', () => {
  it('runs fp32, unscaled and (fp16 only) dynamically scaled; telemetry about every tenth of the run, at most every 5 steps', () => {
    expect(dryRunPlans('fp16').map((p) => [p.variant, p.precision, p.loss_scale])).toEqual([['reference', 'fp32', 'none'], ['unscaled', 'fp16', 'none'], ['scaled', 'fp16', 'dynamic']]);
    expect(dryRunPlans('bf16').map((p) => p.variant)).toEqual(['reference', 'unscaled']);
    expect([1, 10, 20, 50, 500].map(defaultTelemetryEvery)).toEqual([1, 1, 2, 5, 5]);
  });
});

describe('precision.dryRun', () => {
  it('trains fp32, fp16 and fp16 with loss scaling for 10 steps and compares their loss and gradient ranges', async () => {
    const started = await client.call('precision.dryRun', { model, data, steps: 10, telemetry_every: 2 });
    expect(started.precision).toBe('fp16');
    expect(started.variants.map((v) => v.variant)).toEqual(['reference', 'unscaled', 'scaled']);
    expect(started.variants.map((v) => basename(v.runDir))).toEqual([
      expect.stringMatching(/^dryrun-.*-fp32$/), expect.stringMatching(/^dryrun-.*-fp16-none$/), expect.stringMatching(/^dryrun-.*-fp16-dynamic$/),
    ]);
    // Three trainings at once share the cores instead of each taking all of them.
    const threads = Math.max(1, Math.floor(availableParallelism() / 3));
    for (const v of started.variants) expect(JSON.parse(readFileSync(join(v.runDir, 'run.json'), 'utf8')).params.threads).toBe(threads);
    const result = await finished(started.jobIds);
    expect(result.done).toBe(true);
    expect(result.variants.map((v) => [v.variant, v.precision, v.lossScale, v.state, v.stepsDone, v.steps])).toEqual([
      ['reference', 'fp32', 'none', 'completed', 10, 10], ['unscaled', 'fp16', 'none', 'completed', 10, 10], ['scaled', 'fp16', 'dynamic', 'completed', 10, 10],
    ]);
    const [ref, unscaled, scaled] = result.variants;
    for (const v of result.variants) {
      expect(v.firstLoss).toBeGreaterThan(0);
      expect(v.lastLoss).toBeGreaterThan(0);
      expect(v.format).toBe('fp16');
      expect(v.grad!.lines).toBe(5);
      for (const share of [v.grad!.underflow, v.grad!.subnormal, v.grad!.overflow, v.grad!.zeros]) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
    }
    // The same seed, batches and initial adapter: the first step's loss is the forward pass before any update, so fp32
    // and fp16 differ only by the forward's rounding; fp32 is its own reference.
    expect(ref.gapToFp32).toBe(0);
    expect(Math.abs(unscaled.firstLoss! - ref.firstLoss!) / ref.firstLoss!).toBeLessThan(0.02);
    expect(unscaled.gapToFp32).not.toBeNull();
    // Only the scaled run has a loss scale; the unscaled runs never skip a step.
    expect([ref.finalLossScale, unscaled.finalLossScale]).toEqual([null, null]);
    expect(scaled.finalLossScale).toBeGreaterThan(0);
    expect([ref.skippedSteps, unscaled.skippedSteps, ref.overflowSteps, unscaled.overflowSteps]).toEqual([0, 0, 0, 0]);
    expect(scaled.skippedSteps).toBe(scaled.overflowSteps);
    expect(['needed', 'not-needed']).toContain(result.verdict.status);
    expect(result.verdict.reason).toMatch(/fp32/);
  }, 200_000);

  it('runs bf16 against fp32 only, and says why it needs no loss scale', async () => {
    const started = await client.call('precision.dryRun', { model, data, precision: 'bf16', steps: 4, telemetry_every: 2 });
    expect(started.variants.map((v) => v.variant)).toEqual(['reference', 'unscaled']);
    const result = await finished(started.jobIds);
    expect(result.precision).toBe('bf16');
    expect(result.variants.map((v) => [v.precision, v.state, v.format])).toEqual([['fp32', 'completed', 'bf16'], ['bf16', 'completed', 'bf16']]);
    expect(result.verdict.status).toBe('not-needed');
    expect(result.verdict.reason).toMatch(/fp32’s exponent range/);
  }, 200_000);

  it('refuses a bad model folder before any job starts, and job ids that are not dry runs', async () => {
    const before = (await client.call('jobs.list', {})).length;
    await expect(client.call('precision.dryRun', { model: join(dir, 'nowhere'), data, steps: 2 })).rejects.toThrow();
    expect((await client.call('jobs.list', {})).length).toBe(before);
    await expect(client.call('precision.dryRun', { model, data, steps: 501 })).rejects.toThrow();
    await expect(client.call('precision.dryRunResult', { jobIds: ['nope'] })).rejects.toThrow(/No dry-run job/);
  });
});
