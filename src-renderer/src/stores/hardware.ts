// What this machine has (CPU, memory, disk, GPUs, onnxruntime providers), as the back end probed it.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { HardwareReport } from '../../../src-main/common/hardware';
import { api } from '../api';
import { describeError } from '../format';

export const useHardwareStore = defineStore('hardware', () => {
  const report = shallowRef<HardwareReport | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);

  /** Fetches the report; `refresh` asks the back end to probe again instead of answering from its cache. */
  async function load(refresh = false): Promise<void> {
    loading.value = true;
    try {
      report.value = await api.call('hardware.get', refresh ? { refresh: true } : {});
      error.value = null;
    } catch (err) {
      error.value = describeError(err);
    } finally {
      loading.value = false;
    }
  }

  let lost = false;
  api.onConnectionChange((state) => {
    // A probe that failed because the server was away is worth asking again once it is back.
    if (state.status === 'disconnected') lost = true;
    else if (state.status === 'connected' && lost) {
      lost = false;
      if (error.value) void load();
    }
  });

  return { report, loading, error, load };
});
