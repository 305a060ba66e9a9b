// The desktop app's open dialog, through the API (dialog.openPaths); in serve mode the API says there is none.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api';
import { describeError } from '../format';

export const useDialogStore = defineStore('dialog', () => {
  const error = ref<string | null>(null);

  /** The chosen paths; none when the person cancelled or there is no dialog (the error says why). */
  async function pickPaths(kind: 'files' | 'folder'): Promise<string[]> {
    try {
      error.value = null;
      return (await api.call('dialog.openPaths', { kind })).paths;
    } catch (err) {
      error.value = describeError(err);
      return [];
    }
  }

  return { error, pickPaths };
});
