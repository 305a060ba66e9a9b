// The estimator page's state: the run's settings, the catalog to pick from, and the live (debounced) estimate of them.
import { defineStore } from 'pinia';
import { reactive, ref, shallowRef, watch } from 'vue';
import type { CpuCalibration } from '../../../src-main/common/calibration';
import type { EstimateFix, EstimateOptions, EstimateRunOutput, EstimateTargets } from '../../../src-main/common/estimate';
import { api } from '../api';
import { describeError } from '../format';

export interface EstimatorSettings {
  model: string;
  method: 'lora' | 'full';
  rank: number;
  targets: EstimateTargets;
  precision: 'fp32' | 'fp16' | 'bf16';
  batchSize: number;
  seqLen: number;
  gradAccum: number;
  checkpointing: boolean;
  device: string;
  profile: 'ours' | 'pytorch-peft';
  /** The dataset's size in tokens, for an ETA and a cost (null: rate only). */
  tokens: number | null;
  epochs: number;
  /** Local electricity price per kWh (null: not asked, so no electricity cost). */
  pricePerKwh: number | null;
  /** The device's power draw in W (null: 80% of the catalog's TDP, or unknown for a CPU). */
  powerW: number | null;
  /** The cloud price per GPU-hour (null: the catalog's dated example price). */
  pricePerHour: number | null;
}

/** A small model on this computer with this app's engine: what a first run here looks like. */
export const DEFAULT_SETTINGS: EstimatorSettings = {
  model: 'Qwen2.5-0.5B', method: 'lora', rank: 8, targets: 'all-linear', precision: 'fp32', batchSize: 1, seqLen: 512,
  gradAccum: 1, checkpointing: false, device: 'cpu', profile: 'ours', tokens: 1_000_000, epochs: 1, pricePerKwh: null,
  powerW: null, pricePerHour: null,
};

/** Long enough to let a slider settle, short enough to feel live. */
export const ESTIMATE_DEBOUNCE_MS = 200;

/** The calibrate job runs ≤ 10 s: a look every half second shows its end promptly. */
export const CALIBRATE_POLL_MS = 500;

/** A fix is applicable when it changes a setting; 'shard across GPUs' is advice with nothing to set. */
export const isApplicable = (fix: EstimateFix): boolean => Object.keys(fix.change).length > 0;

export const useEstimatorStore = defineStore('estimator', () => {
  const settings = reactive<EstimatorSettings>({ ...DEFAULT_SETTINGS });
  const options = shallowRef<EstimateOptions | null>(null);
  const result = shallowRef<EstimateRunOutput | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** This CPU's cached MatMul calibration (null: none yet, so CPU estimates have no time). */
  const calibration = shallowRef<CpuCalibration | null>(null);
  const calibrating = ref(false);
  const calibrationError = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;

  async function loadOptions(): Promise<void> {
    try {
      options.value = await api.call('estimate.options', {});
    } catch (err) {
      error.value = describeError(err);
    }
  }

  /** Estimates the current settings now; a reply to an older request than the newest is dropped. */
  async function run(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const id = ++latest;
    loading.value = true;
    const { targets, ...rest } = settings;
    try {
      // An emptied number box reads as '': no token count means "rate only", not an invalid request.
      const tokens = typeof rest.tokens === 'number' && rest.tokens > 0 ? Math.round(rest.tokens) : null;
      // The same for the prices and the power: an empty or non-positive box means "use the default" (or "not asked").
      const positive = (v: unknown) => (typeof v === 'number' && v > 0 ? v : null);
      const out = await api.call('estimate.run', {
        ...rest, tokens, targets: targets === 'all-linear' ? targets : [...targets],
        pricePerKwh: positive(rest.pricePerKwh), powerW: positive(rest.powerW), pricePerHour: positive(rest.pricePerHour),
      });
      if (id !== latest) return;
      result.value = out;
      error.value = null;
    } catch (err) {
      if (id !== latest) return;
      result.value = null;
      error.value = describeError(err);
    } finally {
      if (id === latest) loading.value = false;
    }
  }

  async function loadCalibration(): Promise<void> {
    try {
      calibration.value = await api.call('estimate.calibration', {});
    } catch {
      calibration.value = null; // an older server without calibration: CPU times stay unknown
    }
  }

  /** Runs the `calibrate` engine job (≈ 10 s), waits for it, then re-estimates with the measured rate. */
  async function calibrate(): Promise<void> {
    if (calibrating.value) return;
    calibrating.value = true;
    calibrationError.value = null;
    try {
      let job = await api.call('estimate.calibrate', {});
      while (job.state === 'queued' || job.state === 'running') {
        await new Promise((done) => setTimeout(done, CALIBRATE_POLL_MS));
        job = await api.call('jobs.get', { id: job.id });
      }
      if (job.state !== 'completed') calibrationError.value = job.reason ?? `the measurement ended ${job.state}`;
      await loadCalibration();
      await run();
    } catch (err) {
      calibrationError.value = describeError(err);
    } finally {
      calibrating.value = false;
    }
  }

  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), ESTIMATE_DEBOUNCE_MS);
  }

  /** Sets the settings a fix names (they are named as the settings are) and estimates again at once. */
  function apply(fix: EstimateFix): void {
    Object.assign(settings, fix.change);
    void run();
  }

  function reset(): void {
    Object.assign(settings, DEFAULT_SETTINGS);
  }

  // Every change of a setting re-estimates, debounced: a dragged slider sends one request, not thirty.
  // Synchronous, so apply()'s own run() cancels the debounce its assignments just started.
  watch(settings, schedule, { deep: true, flush: 'sync' });

  return {
    settings, options, result, loading, error, calibration, calibrating, calibrationError,
    loadOptions, run, schedule, apply, reset, loadCalibration, calibrate,
  };
});
