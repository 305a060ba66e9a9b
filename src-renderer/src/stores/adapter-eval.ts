// Evaluating a library entry: the base model and the fine-tune scored on the same records of a dataset (two baseline
// calls with one seed and limit), polled together until both end, compared as a loss difference.
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import type { BaselineInput, BaselineRow } from '../../../src-main/common/alternatives';
import type { Dataset } from '../../../src-main/common/datasets';
import { api } from '../api';
import type { AdapterEntry } from '../components/models/adapter-library';
import { describeError } from '../format';

/** Results are polled while the score jobs run: two small files per job, no event wiring needed. */
export const EVAL_POLL_MS = 1000;
export const EVAL_DEFAULT_LIMIT = 50;
/** One seed for both calls: the baseline samples its records with it, so both score the same records. */
export const EVAL_SEED = 0;
const FINAL = ['completed', 'failed', 'cancelled', 'interrupted'];

export interface EvalForm { evalVersionId: string; limit: number }
export type EvalEntry = Pick<AdapterEntry, 'jobId' | 'baseModel' | 'resultDir' | 'isAdapter'>;

/**
 * The two baseline calls: the base model as it is, and the fine-tune — the base with the adapter, or for full
 * fine-tuning the saved model folder on its own. Zero-shot only: the adapter was trained to answer without examples.
 */
export function evalInputs(entry: EvalEntry, form: EvalForm): { base: BaselineInput; tuned: BaselineInput } {
  const common = { evalVersionId: form.evalVersionId, shots: [0], limit: form.limit, seed: EVAL_SEED };
  return {
    base: { modelPath: entry.baseModel, ...common },
    tuned: entry.isAdapter ? { modelPath: entry.baseModel, adapterDir: entry.resultDir, ...common } : { modelPath: entry.resultDir, ...common },
  };
}

/** The fine-tune's loss minus the base's; only once both completed (then the server compared the same records). */
export function lossDelta(base: BaselineRow | null, tuned: BaselineRow | null): number | null {
  if (base?.state !== 'completed' || tuned?.state !== 'completed' || base.loss == null || tuned.loss == null) return null;
  return tuned.loss - base.loss;
}

export const useAdapterEvalStore = defineStore('adapter-eval', () => {
  const datasets = shallowRef<Dataset[]>([]);
  const form = reactive<EvalForm>({ evalVersionId: '', limit: EVAL_DEFAULT_LIMIT });
  /** The library entry the current result belongs to; null before any evaluation. */
  const entryId = ref<string | null>(null);
  const baseJobIds = ref<string[]>([]);
  const tunedJobIds = ref<string[]>([]);
  const rows = ref<BaselineRow[]>([]);
  const error = ref<string | null>(null);
  const starting = ref(false);
  let poll: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;

  // Rows are told apart by job id: for full fine-tuning neither row has an adapter.
  const baseRow = computed(() => rows.value.find((r) => baseJobIds.value.includes(r.jobId)) ?? null);
  const tunedRow = computed(() => rows.value.find((r) => tunedJobIds.value.includes(r.jobId)) ?? null);
  const delta = computed(() => lossDelta(baseRow.value, tunedRow.value));
  const running = computed(() => starting.value || rows.value.some((r) => !FINAL.includes(r.state)));

  async function loadDatasets(): Promise<void> {
    try {
      datasets.value = await api.call('data.list', {});
    } catch {
      datasets.value = []; // no store yet: the picker says to import one
    }
    const ids = datasets.value.flatMap((d) => (d.currentVersion ? [d.currentVersion.id] : []));
    if (!ids.includes(form.evalVersionId)) form.evalVersionId = ids[0] ?? '';
  }

  function stopPolling(): void {
    if (poll) clearTimeout(poll);
    poll = null;
  }

  /** Forgets the shown result (another entry was selected); replies still on their way are dropped. */
  function reset(): void {
    stopPolling();
    latest++;
    entryId.value = null;
    baseJobIds.value = [];
    tunedJobIds.value = [];
    rows.value = [];
    error.value = null;
    starting.value = false;
  }

  /** All jobs in one request: once every one has completed, the server averages over the records all of them scored. */
  async function refresh(id: number): Promise<void> {
    stopPolling();
    const jobIds = [...baseJobIds.value, ...tunedJobIds.value];
    try {
      const out = await api.call('estimate.baselineResult', { jobIds });
      if (id !== latest) return;
      rows.value = out.rows;
      error.value = null;
    } catch (err) {
      if (id !== latest) return;
      error.value = describeError(err);
      return;
    }
    if (rows.value.some((r) => !FINAL.includes(r.state))) poll = setTimeout(() => void refresh(id), EVAL_POLL_MS);
  }

  async function evaluate(entry: EvalEntry): Promise<void> {
    reset();
    const id = latest;
    entryId.value = entry.jobId;
    starting.value = true;
    const { base, tuned } = evalInputs(entry, form);
    try {
      // The fine-tune first: its folder is checked when the call starts, so a bad one fails before any job runs.
      const t = await api.call('estimate.baseline', tuned);
      if (id !== latest) return;
      tunedJobIds.value = t.jobs.map((j) => j.jobId);
      const b = await api.call('estimate.baseline', base);
      if (id !== latest) return;
      baseJobIds.value = b.jobs.map((j) => j.jobId);
    } catch (err) {
      if (id !== latest) return;
      error.value = describeError(err);
      starting.value = false;
      // A fine-tune without its base to compare with says little: its started jobs are cancelled, quietly.
      for (const jobId of tunedJobIds.value) void api.call('jobs.cancel', { id: jobId }).catch(() => undefined);
      tunedJobIds.value = [];
      return;
    }
    starting.value = false;
    await refresh(id);
  }

  return { datasets, form, entryId, rows, error, starting, running, baseRow, tunedRow, delta, loadDatasets, evaluate, reset, stop: stopPolling };
});
