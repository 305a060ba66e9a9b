// Session wrapper over onnxruntime-node: create from bytes or a path, run by name with host tensors.

import ort from 'onnxruntime-node';
import { fromOrt, toOrt, type Feed, type HostTensor } from './tensors';

export type ProviderName = 'cpu' | 'cuda' | 'webgpu' | 'dml';

export interface SessionOptions {
  /** Execution providers in order of preference (default ['cpu']); ORT appends CPU for unsupported nodes. */
  providers?: readonly ProviderName[];
  /** Intra-op threads (default 2: leaves cores for the UI and data loading). */
  intraOpThreads?: number;
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** ORT log severity: 0 verbose .. 4 fatal (default 3, errors only). */
  logSeverity?: 0 | 1 | 2 | 3 | 4;
  /** Chrome-trace profiling output prefix (a path prefix); off when absent. */
  profilePrefix?: string;
}

export function ortSessionOptions(opts: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [...(opts.providers ?? ['cpu'])],
    intraOpNumThreads: opts.intraOpThreads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: opts.graphOptimization ?? 'all',
    logSeverityLevel: opts.logSeverity ?? 3,
    // Memory patterns pre-plan buffers per input shape; with our symbolic B×S training graphs they cost more than they
    // save. Measured on the LoRA step benchmark (tests/bench/lora-step.bench.ts, 2 threads): off = 0.70–0.73 s/step and
    // 1.07–1.09 GB peak RSS, on = 1.07–1.11 s/step and 1.66 GB.
    enableMemPattern: false,
    ...(opts.profilePrefix ? { enableProfiling: true, profileFilePrefix: opts.profilePrefix } : {}),
  };
}

export class EngineSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  /**
   * `model` as bytes, or as a path to an .onnx file — a path is required when the model has
   * external initializers, because their locations resolve against the model's folder.
   */
  static async create(model: Uint8Array | string, opts: SessionOptions = {}): Promise<EngineSession> {
    const o = ortSessionOptions(opts);
    const s = typeof model === 'string' ? await ort.InferenceSession.create(model, o) : await ort.InferenceSession.create(model, o);
    return new EngineSession(s);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs with feeds by input name; fetches `outputs` (default: all) by name. */
  async run(feeds: Readonly<Record<string, Feed>>, outputs?: readonly string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = toOrt(f);
    const res = outputs ? await this.session.run(ortFeeds, [...outputs]) : await this.session.run(ortFeeds);
    const out: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(res)) out[name] = fromOrt(t);
    return out;
  }

  /** Flushes the profile file when profiling is on. */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export function ortVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}
