// App-wide state: what the back end says about itself, the database's health (and moving a broken file aside), the connection.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { AppInfo } from '../../../src-main/common/contract';
import type { StoreStatus } from '../../../src-main/common/store';
import { api, type ConnectionState } from '../api';
import { describeError } from '../format';

export const useAppStore = defineStore('app', () => {
  const info = shallowRef<AppInfo | null>(null);
  const infoError = ref<string | null>(null);
  const storeStatus = shallowRef<StoreStatus | null>(null);
  const storeError = ref<string | null>(null);
  const movingAside = ref(false);
  const movedTo = ref<string | null>(null);
  const moveError = ref<string | null>(null);
  const connection = shallowRef<ConnectionState>(api.connection());

  let lost = false;
  api.onConnectionChange((state) => {
    connection.value = state;
    // Whatever we asked while the server was away failed: ask again once it is back.
    if (state.status === 'disconnected') lost = true;
    else if (state.status === 'connected' && lost) {
      lost = false;
      void load();
    }
  });

  const storeProblem = computed(() => (storeStatus.value && !storeStatus.value.ok ? storeStatus.value : null));

  async function loadInfo(): Promise<void> {
    try {
      info.value = await api.call('app.info', {});
      infoError.value = null;
    } catch (err) {
      infoError.value = describeError(err);
    }
  }

  async function loadStoreStatus(): Promise<void> {
    try {
      storeStatus.value = await api.call('store.status', {});
      storeError.value = null;
    } catch (err) {
      storeError.value = describeError(err);
    }
  }

  async function load(): Promise<void> {
    await Promise.all([loadInfo(), loadStoreStatus()]);
  }

  /** Renames the broken database file aside (never deletes it) and starts a fresh one. */
  async function moveAside(): Promise<void> {
    movingAside.value = true;
    moveError.value = null;
    try {
      const result = await api.call('store.moveAside', {});
      movedTo.value = result.movedTo;
      storeStatus.value = result.status;
    } catch (err) {
      moveError.value = describeError(err);
    } finally {
      movingAside.value = false;
    }
  }

  function reconnectNow(): void {
    api.reconnectNow();
  }

  return {
    info, infoError, storeStatus, storeError, storeProblem, movingAside, movedTo, moveError, connection,
    load, loadInfo, loadStoreStatus, moveAside, reconnectNow,
  };
});
