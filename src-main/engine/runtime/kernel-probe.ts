// Runs one kernel-probe graph on one execution provider and reports what happened: loaded or not, the output, and
// which kernels ran where in which input types (from ORT's profile). Judging the numbers is the caller's business.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { kernelProbeModel, type ProbeDType, type ProbeOp } from './kernel-probe-graph';
import { EngineSession, type ProviderName } from './session';
import type { Feed } from './tensors';

export type { ProbeDType, ProbeOp } from './kernel-probe-graph';

/** One kernel execution from the profile: op type, the provider that ran it, its inputs' element types. */
export interface ProfiledKernel {
  op: string;
  provider: string;
  inputTypes: string[];
}

export interface KernelRun {
  /** False when the session could not be created or run (no kernel, invalid type for the op, provider error). */
  ran: boolean;
  error?: string;
  output?: Float32Array;
  kernels: ProfiledKernel[];
  ms: number;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  args?: { op_name?: string; provider?: string; input_type_shape?: Record<string, unknown>[] };
}

/** Kernel executions of an ORT profile (Chrome trace; one `<node>_kernel_time` event per node run). */
export function profiledKernels(events: readonly TraceEvent[]): ProfiledKernel[] {
  return events
    .filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time') && e.args?.op_name)
    .map((e) => ({
      op: e.args?.op_name as string,
      provider: e.args?.provider ?? 'unknown',
      inputTypes: (e.args?.input_type_shape ?? []).flatMap((t) => Object.keys(t)),
    }));
}

async function readProfile(dir: string): Promise<ProfiledKernel[]> {
  const file = (await readdir(dir)).find((f) => f.endsWith('.json'));
  return file ? profiledKernels(JSON.parse(await readFile(join(dir, file), 'utf8')) as TraceEvent[]) : [];
}

/**
 * `op` in `dtype` on `provider` only, on fp32 inputs `a` (and `b`) of shape [n, n]. Graph optimisation is off so the
 * profile shows the graph as written, except for what ORT does regardless (casts it inserts around nodes a provider
 * has no kernel for, function ops it inlines).
 */
export async function runKernelProbe(
  provider: ProviderName, op: ProbeOp, dtype: ProbeDType, a: Float32Array, b: Float32Array, n: number,
): Promise<KernelRun> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'ftstudio-kernels-'));
  // A missing kernel is an expected answer here, not an error worth ORT's red log lines.
  const level = ort.env.logLevel;
  ort.env.logLevel = 'fatal';
  try {
    const s = await EngineSession.create(kernelProbeModel(op, dtype, n), {
      providers: [provider], graphOptimization: 'disabled', intraOpThreads: 1, logSeverity: 4, profilePrefix: join(dir, 'p'),
    });
    try {
      const feeds: Record<string, Feed> = { a: { data: a, dims: [n, n] } };
      if (op === 'MatMul' || op === 'Add') feeds.b = { data: b, dims: [n, n] };
      const out = await s.run(feeds);
      s.endProfiling();
      return { ran: true, output: out.y?.data as Float32Array, kernels: await readProfile(dir), ms: performance.now() - t0 };
    } finally {
      await s.release();
    }
  } catch (e) {
    const error = String((e as Error).message ?? e).split('\n')[0].slice(0, 300);
    return { ran: false, error, kernels: [], ms: performance.now() - t0 };
  } finally {
    ort.env.logLevel = level;
    await rm(dir, { recursive: true, force: true });
  }
}
