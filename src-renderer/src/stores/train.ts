// Training runs: starting one from the Train page, each run's metrics (run folder, then live) and its range telemetry.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Job } from '../../../src-main/common/jobs';
import type { TelemetryLine } from '../../../src-main/common/precision/telemetry-line';
import type { TrainStartInput } from '../../../src-main/common/train';
import { api } from '../api';
import type { MetricsRow } from '../components/train/loss-series';
import { describeError } from '../format';
import { useJobsStore } from './jobs';

const kindOf = (row: Record<string, number>) => ('eval_loss' in row ? 'eval' : 'train');
/** Telemetry is re-read from the run folder on live metrics, at most this often. */
export const TELEMETRY_REFRESH_MS = 4000;

export const useTrainStore = defineStore('train', () => {
  const jobs = useJobsStore();
  const metrics = ref<Record<string, MetricsRow[]>>({});
  const starting = ref(false);
  const error = ref<string | null>(null);
  const selectedId = ref<string | null>(null);
  /** Telemetry lines per run, every kind (gradients, weights, activations), once loaded (empty when the run writes none). */
  const telemetry = ref<Record<string, TelemetryLine[]>>({});
  const telemetryLoadedAt = new Map<string, number>();
  const telemetryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Settings the Adapter wizard (or the adapter library) handed over: the Train form takes them once. */
  const pendingAdapterSettings = ref<Partial<TrainStartInput> | null>(null);

  /** Training jobs, newest first. */
  const runs = computed(() => jobs.jobs.filter((j) => j.kind === 'train'));
  const selected = computed<Job | null>(() => runs.value.find((j) => j.id === selectedId.value) ?? runs.value[0] ?? null);

  async function start(input: TrainStartInput): Promise<Job | null> {
    starting.value = true;
    try {
      const job = await api.call('train.start', input);
      jobs.applyUpdated(job);
      metrics.value[job.id] = [];
      selectedId.value = job.id;
      error.value = null;
      return job;
    } catch (err) {
      error.value = describeError(err);
      return null;
    } finally {
      starting.value = false;
    }
  }

  /** The run folder is the truth: after a restart the chart is rebuilt from it, then grows with live events. */
  async function loadMetrics(id: string): Promise<void> {
    try {
      const rows = await api.call('jobs.metrics', { id });
      const live = metrics.value[id] ?? [];
      const seen = new Set(rows.map((r) => `${r.step}:${kindOf(r)}`));
      metrics.value[id] = [...rows, ...live.filter((r) => !seen.has(`${r.step}:${kindOf(r)}`))];
    } catch (err) {
      error.value = describeError(err);
    }
  }

  /** Telemetry is optional (older runs, runs without --telemetry-every): a failure just leaves the chart away. */
  async function loadTelemetry(id: string): Promise<void> {
    telemetryLoadedAt.set(id, Date.now());
    try {
      telemetry.value[id] = await api.call('jobs.telemetry', { id });
    } catch {
      telemetry.value[id] ??= [];
    }
  }

  /** Throttled: at once when the last load is old enough, otherwise once when it is (so the last step still arrives). */
  function refreshTelemetry(id: string): void {
    if (telemetryTimers.has(id)) return;
    const wait = (telemetryLoadedAt.get(id) ?? 0) + TELEMETRY_REFRESH_MS - Date.now();
    if (wait <= 0) {
      void loadTelemetry(id);
      return;
    }
    telemetryTimers.set(id, setTimeout(() => {
      telemetryTimers.delete(id);
      void loadTelemetry(id);
    }, wait));
  }

  function select(id: string): void {
    selectedId.value = id;
    if (!metrics.value[id]) void loadMetrics(id);
  }

  function takePendingAdapterSettings(): Partial<TrainStartInput> | null {
    const taken = pendingAdapterSettings.value;
    pendingAdapterSettings.value = null;
    return taken;
  }

  api.on('job.metrics', (event) => {
    const row = { step: event.step, ...event.values } as MetricsRow;
    const rows = metrics.value[event.id];
    if (!rows) return; // not on screen: loaded from the run folder when it is
    if (event.id === selected.value?.id && telemetry.value[event.id]) refreshTelemetry(event.id);
    if (rows.some((r) => r.step === row.step && kindOf(r) === kindOf(row))) return;
    metrics.value[event.id] = [...rows, row]; // a new array, so the chart sees the change
  });

  return {
    metrics, telemetry, starting, error, selectedId, runs, selected, pendingAdapterSettings,
    start, loadMetrics, loadTelemetry, select, takePendingAdapterSettings,
  };
});
