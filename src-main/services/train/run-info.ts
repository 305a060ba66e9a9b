// OUT/run.json: what a run was started with (resolved config, job params, versions, hardware, data), and reading it back.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../common/errors';
import { TrainJobParams } from '../../common/train';
import type { TokenizeSummary } from '../../data/tokenize';
import { APP_NAME, APP_VERSION } from '../app-version';
import type { TrainConfig } from './config-schema';
import type { PrecisionRecord } from './precision';

export const RUN_FILE = 'run.json';
export const ERROR_FILE = 'error.json';
export const runDataFiles = (outDir: string) => ({
  train: join(outDir, 'data', 'train.jsonl'), eval: join(outDir, 'data', 'eval.jsonl'), ewc: join(outDir, 'data', 'ewc.jsonl'),
});

export interface DatasetInfo extends TokenizeSummary { source: string; format: string; warnings: string[] }

export interface RunInfo {
  kind: 'ftstudio-train-run';
  app: { name: string; version: string };
  versions: { node: string; onnxruntime: string | null };
  hardware: { cpu: string; logical_cores: number; memory_bytes: number; platform: string; arch: string };
  /** The resolved config; keys of other methods (loraplus_ratio, stages, virtual_tokens, …) left out. */
  config: Partial<TrainConfig> & { max_seq_len: number; steps: number };
  params: TrainJobParams;
  /** Low precision or loss scaling: the format, the scale, and that (and why) it ran emulated; absent for plain fp32. */
  precision?: PrecisionRecord;
  data: { train: DatasetInfo; eval: DatasetInfo | null };
  started_at: string;
}

/** onnxruntime-node's version from its package.json: main records it without loading the native library. */
export function onnxruntimeVersion(): string | null {
  try {
    const file = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export function runEnvironment(): Pick<RunInfo, 'app' | 'versions' | 'hardware'> {
  return {
    app: { name: APP_NAME, version: APP_VERSION },
    versions: { node: process.version, onnxruntime: onnxruntimeVersion() },
    hardware: {
      cpu: os.cpus()[0]?.model.trim() || 'unknown CPU',
      logical_cores: os.availableParallelism(),
      memory_bytes: os.totalmem(),
      platform: `${process.platform} ${os.release()}`,
      arch: process.arch,
    },
  };
}

export function writeRunInfo(outDir: string, info: RunInfo): void {
  const file = join(outDir, RUN_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The error of a failed preparation, alone in OUT: the folder says why it holds no run. */
export function writeErrorFile(outDir: string, message: string): void {
  writeFileSync(join(outDir, ERROR_FILE), `${JSON.stringify({ error: message }, null, 2)}\n`);
}

/**
 * A fresh run that failed before its first step holds nothing worth resuming: OUT is reduced to error.json, as a failed
 * preparation leaves it, so the same command can simply be run again once the cause is fixed.
 */
export function discardUnstartedRun(outDir: string, message: string): void {
  for (const entry of readdirSync(outDir)) {
    if (entry !== ERROR_FILE) rmSync(join(outDir, entry), { recursive: true, force: true });
  }
  writeErrorFile(outDir, message);
}

/**
 * Reads OUT/run.json for `--resume OUT`: the same params, with the data files re-pointed into OUT (the folder may have
 * moved since). The engine continues from OUT/checkpoints/latest.json when there is one.
 */
export function readRunInfo(outDir: string, purpose: 'resume' | 'export' = 'resume'): RunInfo {
  const file = join(outDir, RUN_FILE);
  if (!existsSync(file)) {
    const why = existsSync(join(outDir, ERROR_FILE)) ? ' (its preparation failed: see error.json)' : '';
    throw new ApiError('invalid-input', `Cannot ${purpose} ${outDir}: it has no ${RUN_FILE}, so it is not a training run folder${why}.`);
  }
  let info: RunInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as RunInfo;
  } catch (err) {
    throw new ApiError('invalid-input', `Cannot ${purpose} ${outDir}: ${file} is not valid JSON (${(err as Error).message}).`);
  }
  const data = runDataFiles(outDir);
  const parsed = TrainJobParams.safeParse({ ...info.params, trainData: data.train, evalData: info.params?.evalData ? data.eval : null });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ApiError('invalid-input', `Cannot ${purpose} ${outDir}: the params in ${file} are not valid (${issues}).`);
  }
  for (const f of [parsed.data.trainData, parsed.data.evalData]) {
    if (f && !existsSync(f)) throw new ApiError('invalid-input', `Cannot ${purpose} ${outDir}: ${f} is missing.`);
  }
  return { ...info, params: parsed.data };
}
