// The app frame: nav and connection indicator, the database-problem banner with "move aside", the disconnected banner.
import { describe, expect, it } from 'vitest';
import App from '../../../src-renderer/src/App.vue';
import { createFakeApi, flush, type FakeHandlers } from '../helpers/fake-api';
import { hardwareReport } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';
import type { StoreStatus } from '../../../src-main/common/store';

const corrupt: StoreStatus = { path: '/d/ftstudio.duckdb', ok: false, schemaVersion: null, supportedVersion: 2, problem: 'corrupt', message: 'IO Error: not a DuckDB file' };
const healthy: StoreStatus = { ...corrupt, ok: true, schemaVersion: 2, problem: null, message: null };

function fake(overrides: FakeHandlers = {}) {
  return createFakeApi({
    'app.info': () => ({ name: 'Finetune Studio', version: '0.1.0', mode: 'serve', home: '/d', platform: 'linux' }),
    'store.status': () => healthy,
    'jobs.list': () => [],
    'hardware.get': () => hardwareReport(),
    ...overrides,
  });
}

describe('App', () => {
  it('has the app name, links to every page and a connection indicator', async () => {
    const { wrapper } = await mountWithApp(App, fake());
    expect(wrapper.get('header').text()).toContain('Finetune Studio');
    for (const page of ['home', 'runs', 'models', 'settings']) expect(wrapper.find(`[data-testid="nav-${page}"]`).exists()).toBe(true);
    expect(wrapper.get('[data-testid="connection-indicator"]').attributes('data-status')).toBe('connected');
    expect(wrapper.find('[data-testid="store-problem"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('explains a corrupt database and moves it aside on request, showing where it went', async () => {
    const api = fake({
      'store.status': () => corrupt,
      'store.moveAside': () => ({ movedTo: '/d/ftstudio.duckdb.corrupt-20251127', status: healthy }),
    });
    const { wrapper } = await mountWithApp(App, api);
    const banner = wrapper.get('[data-testid="store-problem"]');
    expect(banner.text()).toContain('damaged');
    expect(banner.text()).toContain('Nothing is deleted');
    await wrapper.get('[data-testid="store-move-aside"]').trigger('click');
    await flush();
    expect(api.calls.some((c) => c.method === 'store.moveAside')).toBe(true);
    expect(wrapper.find('[data-testid="store-problem"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="store-moved"]').text()).toContain('/d/ftstudio.duckdb.corrupt-20251127');
    wrapper.unmount();
  });

  it('explains a database from a newer version', async () => {
    const { wrapper } = await mountWithApp(App, fake({ 'store.status': () => ({ ...corrupt, problem: 'newer-schema', schemaVersion: 7, message: null }) }));
    expect(wrapper.get('[data-testid="store-problem"]').text()).toContain('newer version');
    wrapper.unmount();
  });

  it('shows a visible disconnected state', async () => {
    const api = fake();
    const { wrapper } = await mountWithApp(App, api);
    api.setConnection('disconnected');
    await flush();
    expect(wrapper.get('[data-testid="connection-indicator"]').text()).toContain('Disconnected');
    expect(wrapper.find('[data-testid="disconnected-banner"]').exists()).toBe(true);
    wrapper.unmount();
  });
});
