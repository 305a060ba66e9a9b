// --provider: the run's execution provider, checked before anything is written, and the native-or-emulated decision
// (services/train/execution.ts) with its trace in the job params, run.json and the CLI's notes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelSupport } from '../../../../src-main/common/hardware';
import { decideExecution, executionParams, type ExecutionProbes } from '../../../../src-main/services/train/execution';
import { ConfigError, precisionNotes, precisionRecord, resolveTrainConfig } from '../../../../src-main/services/train';
import { issuesOf } from './config-issues';
import { tinyRun } from './tiny-run';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-execution-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const resolve = (flags: Record<string, string | boolean>) => resolveTrainConfig({ flags: { model: 'm', data: 'd.jsonl', ...flags }, defaultThreads: 2, cwd: work });

/** What the H200's WebGPU provider answered (scripts/gpu-check/results/2026-11-28-h200): fp16 kernels, no bf16. */
const WEBGPU_KERNELS: KernelSupport = { fp16: true, bf16: false, fp8: false, note: 'fp16: MatMul, Add, Softmax kernels; bf16: no MatMul/Add/Softmax kernel' };
const probes = (works: boolean, kernels: KernelSupport = WEBGPU_KERNELS): ExecutionProbes & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    provider: async (n) => (asked.push(`provider ${n}`), { name: n, works, ...(works ? {} : { error: 'Failed to get a WebGPU adapter' }) }),
    kernels: async (n) => (asked.push(`kernels ${n}`), kernels),
  };
};

describe('--provider', () => {
  it('defaults to the cpu and accepts the providers the engine can open sessions on', () => {
    expect(resolve({})).toMatchObject({ provider: 'cpu' });
    expect(resolve({ provider: 'webgpu' })).toMatchObject({ provider: 'webgpu' });
    expect(issuesOf(() => resolve({ provider: 'tpu' }))).toEqual([expect.stringMatching(/--provider.*cpu, webgpu, cuda or dml/)]);
  });

  it('runs fp16 matmuls on the provider when the kernel probe finds float16 MatMul, and says why', async () => {
    const p = probes(true);
    const d = await decideExecution(resolve({ provider: 'webgpu', precision: 'fp16' }), p);
    expect(d).toEqual({ provider: 'webgpu', native: true, why: expect.stringMatching(/webgpu has float16 MatMul kernels \(probed\)/) });
    expect(p.asked).toEqual(['provider webgpu', 'kernels webgpu']);
    expect(executionParams(d)).toEqual({ provider: 'webgpu', nativePrecision: true });
    expect(precisionRecord(resolve({ provider: 'webgpu', precision: 'fp16' }), d)).toEqual({
      compute: 'fp16', loss_scale: 'dynamic', emulated: false, why: d.why, provider: 'webgpu',
    });
    expect(precisionNotes(resolve({ provider: 'webgpu', precision: 'fp16' }), d).info).toEqual([
      'runs on webgpu (nodes it has no kernel for run on the CPU)',
      `fp16 matmuls on webgpu: ${d.why}, loss scale dynamic`,
    ]);
  });

  it('emulates where the provider has no kernel, where the engine has no such graph, and when --emulate asks', async () => {
    const none = await decideExecution(resolve({ provider: 'cuda', precision: 'fp16' }), probes(true, { fp16: false, bf16: false, fp8: false, note: 'fp16: no MatMul kernel' }));
    expect(none).toMatchObject({ native: false, why: expect.stringMatching(/no usable float16 MatMul kernel \(probed: fp16: no MatMul kernel\)/) });
    const bf16 = probes(true);
    expect(await decideExecution(resolve({ provider: 'webgpu', precision: 'bf16' }), bf16)).toMatchObject({ native: false, why: expect.stringMatching(/no bfloat16 graphs/) });
    expect(bf16.asked).toEqual(['provider webgpu']); // no kernel probe: nothing to decide
    expect(await decideExecution(resolve({ provider: 'webgpu', precision: 'fp16', emulate: true }), probes(true))).toMatchObject({ native: false, why: 'forced by --emulate' });
    const fp32 = await decideExecution(resolve({ provider: 'webgpu' }), probes(true));
    expect(fp32).toMatchObject({ provider: 'webgpu', native: false });
    expect(executionParams(fp32)).toEqual({ provider: 'webgpu' });
    // A plain fp32 run on a GPU provider is still recorded: which provider computed it matters for its numbers.
    expect(precisionRecord(resolve({ provider: 'webgpu' }), fp32)).toMatchObject({ compute: 'fp32', emulated: false, provider: 'webgpu' });
  });

  it('the cpu is never probed and adds no keys, so CPU runs keep their params and resume hash', async () => {
    const p = probes(false);
    const d = await decideExecution(resolve({ precision: 'fp16' }), p);
    expect(p.asked).toEqual([]);
    expect(d).toMatchObject({ provider: 'cpu', native: false });
    expect(executionParams(d)).toEqual({});
  });

  it('a provider that does not work is an error naming it and its reason', async () => {
    const err = await decideExecution(resolve({ provider: 'webgpu', precision: 'fp16' }), probes(false)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([expect.stringMatching(/^provider webgpu does not work on this machine \(Failed to get a WebGPU adapter\)/)]);
  });
});

describe('--provider in prepareRun (real probes on this machine)', () => {
  const { prepare } = tinyRun(work);

  it('--provider cpu prepares as before: no provider key in the params', async () => {
    const run = await prepare('cpu', { provider: 'cpu', precision: 'fp16' });
    expect(run.params).not.toHaveProperty('provider');
    expect(run.params).not.toHaveProperty('nativePrecision');
    expect(run.execution).toMatchObject({ provider: 'cpu', native: false });
  });

  it('a provider this machine cannot run fails before the run folder is written', async () => {
    // This machine has no GPU: onnxruntime-node's bundled WebGPU provider finds no adapter, CUDA is not installed.
    const real = await import('../../../../src-main/engine/runtime/providers').then((m) => m.probeProvider('webgpu'));
    if (real.works) return; // a machine with a GPU: nothing to check here
    const err = await prepare('webgpu', { provider: 'webgpu', precision: 'fp16' }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/provider webgpu does not work on this machine/);
    expect(existsSync(join(work, 'webgpu', 'run.json'))).toBe(false);
  });
});
