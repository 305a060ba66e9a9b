// The desktop app's import: "Choose files…" asks main's open dialog (dialog.openPaths) and adds the chosen paths;
// a file dropped on the window gets its path from the preload. Neither shows in a browser (serve mode).
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import DataWizard from '../../../src-renderer/src/wizards/DataWizard.vue';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';
import { OPS } from '../helpers/data-fixtures';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  delete (window as { ftstudio?: unknown }).ftstudio;
});

function backend() {
  return createFakeApi({ 'data.ops': () => OPS, 'data.list': () => [], 'dialog.openPaths': ({ kind }) => ({ paths: kind === 'folder' ? ['/data/folder'] : ['/data/a.jsonl', '/data/b.csv'] }) });
}

describe('DataImportStep in the desktop app', () => {
  it('adds the paths chosen in the open dialog and of dropped files', async () => {
    (window as { ftstudio?: unknown }).ftstudio = { pathForFile: (f: File) => `/dropped/${f.name}` };
    const fake = backend();
    ({ wrapper } = await mountWithApp(DataWizard, fake, '/data?step=import'));
    await flush();
    await wrapper.get('[data-testid="import-browse-files"]').trigger('click');
    await flush();
    await wrapper.get('[data-testid="import-browse-folder"]').trigger('click');
    await flush();
    expect(fake.calls.filter((c) => c.method === 'dialog.openPaths').map((c) => c.input)).toEqual([{ kind: 'files' }, { kind: 'folder' }]);
    const paths = wrapper.get('[data-testid="import-paths"]');
    expect((paths.element as HTMLTextAreaElement).value).toBe('/data/a.jsonl\n/data/b.csv\n/data/folder');
    const file = new File(['{}'], 'c.jsonl');
    await wrapper.get('.field.wide').trigger('drop', { dataTransfer: { files: [file] } });
    await flush();
    expect((paths.element as HTMLTextAreaElement).value.split('\n').pop()).toBe('/dropped/c.jsonl');
  });

  it('offers no dialog in a browser', async () => {
    ({ wrapper } = await mountWithApp(DataWizard, backend(), '/data?step=import'));
    await flush();
    expect(wrapper.find('[data-testid="import-browse-files"]').exists()).toBe(false);
  });
});
