// The estimator's time as the API gives it: which calibration the rate came from, said in words, and the other
// calibration's rate beside it when both exist (a benchmark far from a measured run says the utilisation is off).
import type { CpuCalibration } from '../../common/calibration';
import type { EstimateRunOutput } from '../../common/estimate';
import type { TimeEstimate } from '../../estimate/time';
import { DEFAULT_UTILISATION } from '../../estimate/time';
import type { MeasuredRun } from './calibration-runs';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'an earlier day');

export function timeOutput(t: TimeEstimate, device: 'cpu' | 'gpu', cal: CpuCalibration | null, measured: MeasuredRun | null): NonNullable<EstimateRunOutput['time']> {
  const base = {
    flopsPerStep: t.flops.total, tokensPerStep: t.flops.tokens, tokensPerSecond: t.tokensPerSecond,
    stepSeconds: t.stepSeconds, totalSeconds: t.totalSeconds, steps: t.steps,
  };
  if (device === 'gpu') return { ...base, source: t.source, basis: 'gpu-peak', otherRate: null };
  // The benchmark's rate for these settings: the calibrated MatMul rate × utilisation over the FLOPs per token.
  const benchmarkTps = cal ? (cal.gflops * 1e9 * DEFAULT_UTILISATION.cpu) / t.flops.perToken : null;
  if (measured) {
    return {
      ...base,
      source: `measured ${measured.tokensPerSecond.toFixed(0)} tokens/s of training run ${measured.jobId.slice(0, 8)} (${day(measured.endedAt)}) on this model, rescaled to these settings by their FLOPs per token`,
      basis: 'measured-run',
      otherRate: benchmarkTps == null ? null : { basis: 'cpu-benchmark', tokensPerSecond: benchmarkTps },
    };
  }
  return {
    ...base,
    source: cal ? `this CPU's measured MatMul rate, ${cal.gflops.toFixed(0)} GFLOP/s on ${cal.threads} threads (${day(cal.measuredAt)}), × ${DEFAULT_UTILISATION.cpu} utilisation` : t.source,
    basis: 'cpu-benchmark', otherRate: null,
  };
}
