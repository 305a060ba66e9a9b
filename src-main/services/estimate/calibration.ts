// estimate.calibrate / estimate.calibration: the CPU calibration as a `calibrate` engine job (MatMuls never run in
// main), cached in the app's home so a restart keeps it, and used only while CPU, cores, threads and ORT still match.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CalibrateInput, calibrationKey, CpuCalibration } from '../../common/calibration';
import type { Job } from '../../common/jobs';
import { onnxruntimeVersion } from '../train/run-info';

/** Beside the database in the home folder: one small JSON file, written by the calibrate job itself. */
export const calibrationFile = (home: string): string => join(home, 'cpu-calibration.json');

/** The thread count training uses here by default (train config: this machine's cores), so the rate is the one a run gets. */
export const defaultThreads = (): number => Math.min(256, Math.max(1, os.availableParallelism()));

/** This machine as a calibration key sees it, for a given thread count. */
export function currentMachine(threads = defaultThreads()) {
  return { cpuModel: os.cpus()[0]?.model.trim() || 'unknown CPU', logicalCores: os.availableParallelism(), threads, ortVersion: onnxruntimeVersion() };
}

/** The cached calibration when it was measured on this CPU with these threads and this runtime; else null (stale or none). */
export function readCalibration(file: string, threads = defaultThreads()): CpuCalibration | null {
  if (!existsSync(file)) return null;
  let parsed;
  try {
    parsed = CpuCalibration.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null; // unreadable: measure again
  }
  if (!parsed.success) return null;
  return calibrationKey(parsed.data) === calibrationKey(currentMachine(threads)) ? parsed.data : null;
}

export interface CalibrationJobs {
  start(kind: 'calibrate', params: Record<string, unknown>): Promise<Job>;
}

export async function startCalibration(jobs: CalibrationJobs, file: string, input: CalibrateInput = {}): Promise<Job> {
  const p = CalibrateInput.parse(input);
  return jobs.start('calibrate', { threads: p.threads ?? defaultThreads(), ...(p.budgetS ? { budgetS: p.budgetS } : {}), ...(p.n ? { n: p.n } : {}), cacheFile: file });
}
