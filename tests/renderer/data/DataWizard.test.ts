// The Data wizard in happy-dom: import form → api input and report, the dropped-file message, a 1M-row table drawing a screenful, the recipe as YAML.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { MethodInput } from '../../../src-main/common/contract';
import DataWizard from '../../../src-renderer/src/wizards/DataWizard.vue';
import { useDataStore } from '../../../src-renderer/src/stores/data';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';
import { dataset, OPS, record, version } from '../helpers/data-fixtures';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

function fakeBackend(total = 3) {
  const fake = createFakeApi({
    'data.ops': () => OPS,
    'data.list': () => [dataset({ currentVersion: version({ recordCount: total }), versions: [version({ recordCount: total })] })],
    'data.records': ({ offset = 0, limit = 100 }) => {
      const rows = [];
      for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(record(i));
      return { total, rows };
    },
    'data.import': (input) => ({
      dataset: dataset({ name: input.name }),
      report: {
        files: [{ file: '/tmp/in/train.jsonl', sha256: 'ab', format: 'alpaca', bytes: 300, rows: 4, skipped: 1 }], records: 3, skipped: 1,
        problems: [{ file: '/tmp/in/train.jsonl', line: 4, reason: 'Unexpected token } in JSON at column 12' }], seconds: 0.05,
      },
    }),
  });
  return fake;
}

describe('DataWizard', () => {
  it('lists datasets, imports from a typed path with license and skip-bad-rows, and shows the report', async () => {
    const fake = fakeBackend();
    ({ wrapper } = await mountWithApp(DataWizard, fake, '/data'));
    expect(wrapper.get('[data-testid="dataset-list"]').text()).toContain('chats');
    await wrapper.get('[data-testid="import-paths"]').setValue('/tmp/in/train.jsonl');
    expect(wrapper.get('[data-testid="import-name"]').attributes('placeholder')).toBe('train');
    await wrapper.get('[data-testid="import-skip-bad"]').setValue(true);
    await wrapper.get('[data-testid="import-spdx"]').setValue('CC-BY-4.0');
    await wrapper.get('[data-testid="import-commercial"]').setValue('no');
    await wrapper.get('[data-testid="import-form"]').trigger('submit');
    await flush();
    const input = fake.calls.find((c) => c.method === 'data.import')!.input as MethodInput<'data.import'>;
    expect(input).toMatchObject({
      paths: ['/tmp/in/train.jsonl'], name: 'train', format: 'auto', skipBadRows: true,
      license: { spdx: 'CC-BY-4.0', sourceUrl: null, commercialUse: false },
    });
    expect(wrapper.get('[data-testid="import-skipped"]').text()).toBe('1');
    expect(wrapper.get('[data-testid="import-problems"]').text()).toContain('/tmp/in/train.jsonl:4 — Unexpected token');
    expect(wrapper.get('[data-testid="data-current-name"]').text()).toBe('train');
  });

  it('explains that a file dropped in the browser has no path', async () => {
    ({ wrapper } = await mountWithApp(DataWizard, fakeBackend(), '/data'));
    const file = new File(['{}'], 'train.jsonl');
    await wrapper.get('[data-testid="import-paths"]').element.parentElement!.dispatchEvent(Object.assign(new Event('drop'), { dataTransfer: { files: [file] } }));
    await flush();
    expect(wrapper.get('[data-testid="drop-message"]').text()).toMatch(/“train.jsonl”.*type or paste the full path/);
  });

  it('narrows the table with filters: turns, system prompt and source file', async () => {
    const fake = fakeBackend(50);
    fake.handlers['data.sources'] = () => [{ source: '/tmp/in/a.jsonl', count: 30 }, { source: '/tmp/in/b.jsonl', count: 20 }];
    ({ wrapper } = await mountWithApp(DataWizard, fake, '/data?step=inspect'));
    useDataStore().select('chats');
    await flush();
    await flush();
    await wrapper.get('[data-testid="record-min-turns"]').setValue(4);
    await wrapper.get('[data-testid="record-has-system"]').setValue('yes');
    await wrapper.get('[data-testid="record-source"]').setValue('/tmp/in/b.jsonl');
    await flush();
    const last = fake.calls.filter((c) => c.method === 'data.records').at(-1)!.input;
    expect(last).toMatchObject({ versionId: 'v1', offset: 0, filter: { minTurns: 4, hasSystem: true, sourceFile: '/tmp/in/b.jsonl' } });
    expect(wrapper.get('[data-testid="record-count"]').text()).toContain('matching');
  });

  it('draws a screenful of a million records, fetches one page, and opens a clicked record', async () => {
    const fake = fakeBackend(1_000_000);
    ({ wrapper } = await mountWithApp(DataWizard, fake, '/data?step=inspect'));
    useDataStore().select('chats');
    await flush();
    await flush();
    const rows = wrapper.findAll('[data-testid="record-row"]');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(wrapper.get('[data-testid="record-table"]').attributes('data-total')).toBe('1000000');
    expect(fake.calls.filter((c) => c.method === 'data.records').map((c) => c.input)).toEqual([{ versionId: 'v1', offset: 0, limit: 200 }]);
    expect(rows[1].text()).toContain('question 1');
    expect(rows[1].text()).toContain('train.jsonl:2');
    await rows[1].trigger('click');
    expect(wrapper.get('[data-testid="record-detail"]').text()).toContain('answer 1');
  });

  it('shows the recipe as YAML as steps are added', async () => {
    const fake = fakeBackend();
    ({ wrapper } = await mountWithApp(DataWizard, fake, '/data?step=clean'));
    useDataStore().select('chats');
    await flush();
    await wrapper.get('[data-testid="recipe-add-select"]').setValue('exact_dedup');
    await wrapper.get('[data-testid="recipe-add"]').trigger('click');
    expect(wrapper.findAll('[data-testid="recipe-step"]')).toHaveLength(1);
    expect(wrapper.get('[data-testid="recipe-yaml"]').text()).toContain('op: exact_dedup');
    expect(wrapper.get('[data-testid="recipe-yaml"]').text()).toContain('normalize: true');
    expect(wrapper.text()).toMatch(/Why clean/);
  });
});
