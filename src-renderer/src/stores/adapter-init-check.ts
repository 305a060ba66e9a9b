// The Adapter wizard's step-0 check: an `init-check` job on the chosen model folder, polled until it ends.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { InitCheckResult, JobState } from '../../../src-main/common/jobs';
import type { TrainStartInput } from '../../../src-main/common/train';
import { api } from '../api';
import { describeError } from '../format';

/** The job is a few forward passes: half a second between looks is plenty, and cheap. */
export const INIT_CHECK_POLL_MS = 500;
const DONE: readonly JobState[] = ['completed', 'failed', 'cancelled', 'interrupted'];

export type InitCheckRequest = Pick<TrainStartInput, 'rank' | 'alpha' | 'targets' | 'lora_init' | 'use_rslora' | 'use_dora' | 'seed'> & { model: string };

export const useAdapterInitCheckStore = defineStore('adapter-init-check', () => {
  const running = ref(false);
  const result = ref<InitCheckResult | null>(null);
  const error = ref<string | null>(null);
  /** What the shown result was measured for, so a changed setting can say the result is stale. */
  const checkedFor = ref<string | null>(null);
  let latest = 0;

  async function run(request: InitCheckRequest): Promise<void> {
    const id = ++latest;
    running.value = true;
    result.value = null;
    error.value = null;
    try {
      const job = await api.call('adapter.initCheck', request);
      for (;;) {
        const status = await api.call('adapter.initCheckResult', { id: job.id });
        if (id !== latest) return;
        if (DONE.includes(status.state)) {
          if (status.result) result.value = status.result;
          else error.value = status.reason ?? `the check ended ${status.state}`;
          checkedFor.value = JSON.stringify(request);
          return;
        }
        await new Promise((done) => setTimeout(done, INIT_CHECK_POLL_MS));
      }
    } catch (err) {
      if (id === latest) error.value = describeError(err);
    } finally {
      if (id === latest) running.value = false;
    }
  }

  return { running, result, error, checkedFor, run };
});
