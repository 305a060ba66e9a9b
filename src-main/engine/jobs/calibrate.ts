// The 'calibrate' engine job: this CPU's MatMul GFLOP/s (≤ 10 s), written to the run folder and to the app's cache
// file, so the estimator can give CPU times without ever running a benchmark in the app's own process.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { CalibrateParams, type CpuCalibration } from '../../common/calibration';
import { ortVersion } from '../runtime';
import { measureMatmulGflops } from './calibrate-matmul';
import type { EngineJob } from './types';

export const CALIBRATION_FILE = 'calibration.json';

/** Write-then-rename: a reader never sees half a file, even if the engine dies mid-write. */
function writeAtomic(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

export const calibrateJob: EngineJob = {
  kind: 'calibrate',
  async run(ctx) {
    const parsed = CalibrateParams.safeParse(ctx.params);
    if (!parsed.success) throw new Error(`Invalid calibrate parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const p = parsed.data;
    ctx.emit({ type: 'progress', progress: 0, message: `timing ${p.n}³ MatMuls on ${p.threads} threads`, rate: null, etaSeconds: p.budgetS });
    let shown = 0;
    const m = await measureMatmulGflops(p.threads, p.budgetS, p.n, {
      shouldStop: () => ctx.stopReason() !== null,
      onProgress: (share) => {
        // Small products take microseconds each: a few progress messages a second are enough.
        if (performance.now() - shown < 250) return;
        shown = performance.now();
        ctx.emit({ type: 'progress', progress: share, message: null, rate: null, etaSeconds: Math.max(0, (1 - share) * p.budgetS) });
      },
    });
    if (ctx.stopReason()) return { status: 'stopped' };
    const result: CpuCalibration = {
      ...m, ortVersion: ortVersion(), cpuModel: os.cpus()[0]?.model.trim() || 'unknown CPU', logicalCores: os.availableParallelism(),
      measuredAt: new Date().toISOString(),
    };
    if (ctx.runDir) writeAtomic(join(ctx.runDir, CALIBRATION_FILE), result);
    if (p.cacheFile) writeAtomic(p.cacheFile, result);
    return { status: 'done', result: { ...result } };
  },
};
