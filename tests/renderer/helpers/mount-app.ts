// Mounts a view or the whole App with a fresh Pinia, an in-memory router and a fake api installed.
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { Component } from 'vue';
import { installApi } from '../../../src-renderer/src/api';
import { routes } from '../../../src-renderer/src/router';
import type { FakeApi } from './fake-api';
import { flush } from './fake-api';

/** `before` runs with the fresh Pinia active, before the component mounts (e.g. to hand a store state over). */
export async function mountWithApp(component: Component, fake: FakeApi, path = '/', before?: () => void) {
  installApi(fake.transport);
  const pinia = createPinia();
  setActivePinia(pinia);
  before?.();
  const router = createRouter({ history: createMemoryHistory(), routes });
  await router.push(path);
  await router.isReady();
  const wrapper = mount(component, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flush();
  return { wrapper, router, pinia };
}
