// Settings shows what the back end says about itself; Models lists the adapter library and promises nothing else.
import { describe, expect, it } from 'vitest';
import { defineComponent, h, onMounted } from 'vue';
import SettingsView from '../../../src-renderer/src/views/SettingsView.vue';
import ModelsView from '../../../src-renderer/src/views/ModelsView.vue';
import { useAppStore } from '../../../src-renderer/src/stores/app';
import { createFakeApi } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

describe('SettingsView and ModelsView', () => {
  it('Settings shows version, data folder and mode from app.info', async () => {
    const fake = createFakeApi({
      'app.info': () => ({ name: 'Finetune Studio', version: '0.1.0', mode: 'electron', home: '/home/ada/.config/ftstudio', platform: 'linux' }),
      'store.status': () => ({ path: '/x.duckdb', ok: true, schemaVersion: 1, supportedVersion: 1, problem: null, message: null }),
    });
    const Host = defineComponent({ setup() { const app = useAppStore(); onMounted(() => app.load()); return () => h(SettingsView); } });
    const { wrapper } = await mountWithApp(Host, fake, '/settings');
    expect(wrapper.get('[data-testid="app-version"]').text()).toContain('0.1.0');
    expect(wrapper.get('[data-testid="app-home"]').text()).toBe('/home/ada/.config/ftstudio');
    expect(wrapper.get('[data-testid="app-mode"]').text()).toContain('desktop app');
    expect(wrapper.text()).not.toContain('Not built yet');
    wrapper.unmount();
  });

  it('Models shows the adapter library and no placeholder for parts that do not exist', async () => {
    const { wrapper } = await mountWithApp(ModelsView, createFakeApi(), '/models');
    expect(wrapper.text()).toContain('Adapter library');
    expect(wrapper.text()).not.toContain('Not built yet');
    wrapper.unmount();
  });
});
