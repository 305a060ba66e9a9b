// The Precision page's trial run: starts precision.dryRun with the form's values and polls precision.dryRunResult about
// once a second until every run has ended; a reply to an older trial (started before the latest Start) is dropped.
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import { DRY_RUN_DEFAULT_STEPS, type DryRunResult, type DryRunStarted } from '../../../src-main/common/precision/dry-run';
import { api } from '../api';
import { describeError } from '../format';

/** Two small files per run are read per poll: once a second keeps the progress live at no real cost. */
export const DRY_RUN_POLL_MS = 1000;

export interface DryRunForm { model: string; data: string; precision: 'fp16' | 'bf16'; steps: number }

export const usePrecisionDryRunStore = defineStore('precision-dry-run', () => {
  const form = reactive<DryRunForm>({ model: '', data: '', precision: 'fp16', steps: DRY_RUN_DEFAULT_STEPS });
  const started = shallowRef<DryRunStarted | null>(null);
  const result = shallowRef<DryRunResult | null>(null);
  const error = ref<string | null>(null);
  const starting = ref(false);
  let poll: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;

  const running = computed(() => starting.value || (started.value !== null && !result.value?.done));
  const canStart = computed(() => form.model.trim() !== '' && form.data.trim() !== '' && form.steps >= 1 && !running.value);

  function stopPolling(): void {
    if (poll) clearTimeout(poll);
    poll = null;
  }

  async function refresh(id: number): Promise<void> {
    stopPolling();
    if (!started.value) return;
    try {
      const out = await api.call('precision.dryRunResult', { jobIds: started.value.jobIds });
      if (id !== latest) return;
      result.value = out;
      error.value = null;
      if (out.done) return;
    } catch (err) {
      if (id !== latest) return;
      error.value = describeError(err);
      return;
    }
    poll = setTimeout(() => void refresh(id), DRY_RUN_POLL_MS);
  }

  async function start(): Promise<void> {
    stopPolling();
    const id = ++latest;
    started.value = null;
    result.value = null;
    error.value = null;
    starting.value = true;
    try {
      const out = await api.call('precision.dryRun', { model: form.model.trim(), data: form.data.trim(), precision: form.precision, steps: form.steps });
      if (id !== latest) return;
      started.value = out;
    } catch (err) {
      if (id === latest) error.value = describeError(err);
      return;
    } finally {
      if (id === latest) starting.value = false;
    }
    await refresh(id);
  }

  /** Stops the trial's runs; the next poll shows them cancelled and ends the polling. */
  async function cancel(): Promise<void> {
    for (const jobId of started.value?.jobIds ?? []) await api.call('jobs.cancel', { id: jobId }).catch(() => undefined);
  }

  return { form, started, result, error, starting, running, canStart, start, cancel, stop: stopPolling };
});
