// Schemas of the CPU calibration: the `calibrate` engine job's parameters, what it measures, and the API around it.
import { z } from 'zod';

/** The job's whole budget is capped: a calibration is a ≤ 10 s wait for the user, never a benchmark session. */
export const CALIBRATION_MAX_SECONDS = 10;

export const CalibrateParams = z.object({
  /** Intra-op threads of the MatMul session: the count training uses on this machine (the app passes its default). */
  threads: z.number().int().min(1).max(256),
  /** Seconds of repeated MatMuls after the warm-up; tests keep it small. */
  budgetS: z.number().positive().max(CALIBRATION_MAX_SECONDS).default(8),
  /** The product is n × n × n; 1024 is large enough for MLAS to reach its steady rate, small enough to warm up fast. */
  n: z.number().int().min(16).max(4096).default(1024),
  /** Where the app keeps the result across restarts (written by the job, so a closed app still gets it). */
  cacheFile: z.string().min(1).optional(),
}).strict();
export type CalibrateParams = z.output<typeof CalibrateParams>;

/** One measurement of this CPU, and what it is valid for (another CPU, core count, thread count or ORT makes it stale). */
export const CpuCalibration = z.object({
  gflops: z.number().positive(),
  threads: z.number().int(),
  n: z.number().int(),
  runs: z.number().int(),
  seconds: z.number(),
  ortVersion: z.string().nullable(),
  cpuModel: z.string(),
  logicalCores: z.number().int(),
  measuredAt: z.string(),
});
export type CpuCalibration = z.infer<typeof CpuCalibration>;

export const CalibrateInput = z.object({
  threads: z.number().int().min(1).max(256).optional(),
  budgetS: z.number().positive().max(CALIBRATION_MAX_SECONDS).optional(),
  n: z.number().int().min(16).max(4096).optional(),
}).strict();
export type CalibrateInput = z.input<typeof CalibrateInput>;

export const CalibrationQuery = z.object({ threads: z.number().int().min(1).max(256).optional() }).strict();

/** The key a cached calibration must match to be used: the same CPU, core count, thread count and runtime. */
export function calibrationKey(c: Pick<CpuCalibration, 'cpuModel' | 'logicalCores' | 'threads' | 'ortVersion'>): string {
  return `${c.cpuModel}|${c.logicalCores} cores|${c.threads} threads|ort ${c.ortVersion ?? '?'}`;
}
