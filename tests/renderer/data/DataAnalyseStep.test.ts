// The Analyse step with a fake API: runs data.analyze under a task id (model folder passed), shows progress and Cancel, then counts, histograms, languages, verbs, topics; duplicate clusters with Restore and paging.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { MethodInput, MethodOutput } from '../../../src-main/common/contract';
import { ApiError } from '../../../src-main/common/errors';
import DataWizard from '../../../src-renderer/src/wizards/DataWizard.vue';
import { useDataStore } from '../../../src-renderer/src/stores/data';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';
import { analysis, dataset, OPS, version } from '../helpers/data-fixtures';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const v1 = version({ recordCount: 10 });
const v2 = version({ id: 'v2', version: 2, parentVersionId: 'v1', kind: 'clean', recordCount: 7 });
const turn = (text: string) => ({ messages: [{ role: 'user' as const, content: text }, { role: 'assistant' as const, content: 'a' }] });

function backend(versions = [v1]) {
  return createFakeApi({
    'data.ops': () => OPS,
    'data.list': () => [dataset({ currentVersion: versions[versions.length - 1], versions })],
    'data.cancel': () => ({ cancelled: true }),
  });
}

async function open(fake: ReturnType<typeof backend>) {
  ({ wrapper } = await mountWithApp(DataWizard, fake, '/data?step=analyse'));
  useDataStore().select('chats');
  await flush();
  return wrapper;
}

describe('DataAnalyseStep', () => {
  it('analyses with the model folder under a task id, shows progress with Cancel, and says it was cancelled', async () => {
    const fake = backend();
    let fail!: (err: Error) => void;
    fake.handlers['data.analyze'] = () => new Promise((_resolve, reject) => { fail = reject; });
    const w = await open(fake);
    expect(w.find('[data-testid="analysis-summary"]').exists()).toBe(false);
    await w.get('[data-testid="analyse-model-path"]').setValue('/models/tiny');
    await w.get('[data-testid="analyse-run"]').trigger('submit');
    await flush();
    const input = fake.calls.find((c) => c.method === 'data.analyze')!.input as MethodInput<'data.analyze'>;
    expect(input).toMatchObject({ versionId: 'v1', modelPath: '/models/tiny', refresh: false });
    expect(input.taskId).toMatch(/^analyze-/);
    fake.emit('data.progress', { taskId: input.taskId!, phase: 'analysing', done: 4, total: 10, unit: 'records', ratePerSecond: 2, etaSeconds: 3, records: 4, recordsPerSecond: 2 });
    await flush();
    expect(w.get('[data-testid="progress-percent"]').text()).toBe('40%');
    await w.get('[data-testid="data-cancel"]').trigger('click');
    await flush();
    expect(fake.calls.find((c) => c.method === 'data.cancel')!.input).toEqual({ taskId: input.taskId });
    fail(new ApiError('cancelled', 'The analysis was cancelled.'));
    await flush();
    expect(w.find('[data-testid="data-progress"]').exists()).toBe(false);
    expect(w.get('[data-testid="analyse-error"]').text()).toContain('Cancelled.');
  });

  it('shows the record count, length histograms, language bars with percentages, verbs with objects, topic cards and cues', async () => {
    const fake = backend();
    fake.handlers['data.analyze'] = () => analysis();
    const w = await open(fake);
    await w.get('[data-testid="analyse-run"]').trigger('submit');
    await flush();
    expect(w.get('[data-testid="analysis-records"]').text()).toBe('10');
    expect(w.findAll('[data-testid="histogram"]').map((h) => h.attributes('data-title'))).toEqual(['Prompt length', 'Answer length', 'Turns per record']);
    const prompt = w.get('[data-testid="histogram-prompt"]');
    expect(prompt.findAll('[data-testid="histogram-bar"]').map((b) => b.attributes('data-count'))).toEqual(['1', '3', '4', '2']);
    expect(prompt.text()).toContain('median 22');
    expect(w.text()).toContain('Give a model folder above to see tokens');
    const langs = w.findAll('[data-testid="language-bar"]');
    expect(langs.map((l) => l.attributes('data-language'))).toEqual(['en', 'fr']);
    expect(langs[0].text()).toMatch(/English \(en\)\s*80%\s*8/);
    expect(langs[1].text()).toContain('20%');
    const write = w.get('[data-testid="verb-row"][data-verb="write"]');
    expect(write.text()).toContain('poem 2');
    expect(write.text()).toContain('email 1');
    const topics = w.findAll('[data-testid="topic-card"]');
    expect(topics).toHaveLength(2);
    expect(topics[0].text()).toContain('Write a poem about love.');
    expect(topics[0].text()).toContain('60%');
    expect(w.get('[data-testid="stat-constrained"]').text()).toContain('30%');
    expect(w.get('[data-testid="cue"][data-cue="length"]').text()).toContain('2');
    expect(w.get('[data-testid="analyse-run"]').text()).toContain('Analyse again');
    expect(w.find('[data-testid="duplicate-clusters"]').exists()).toBe(false); // an import version has no duplicates to browse
  });

  it('draws the token histogram when a tokenizer gave one, and re-asks with refresh when the kept analysis counts other records', async () => {
    const fake = backend();
    const answers = [analysis({ records: 9 }), analysis({ tokens: { edges: [0, 10, 20], counts: [4, 6], total: 10, min: 3, max: 19, mean: 11, median: 12 } })];
    fake.handlers['data.analyze'] = () => answers.shift()!;
    const w = await open(fake);
    await w.get('[data-testid="analyse-run"]').trigger('submit');
    await flush();
    expect(fake.calls.filter((c) => c.method === 'data.analyze').map((c) => (c.input as MethodInput<'data.analyze'>).refresh)).toEqual([false, true]);
    expect(w.get('[data-testid="histogram-tokens"]').findAll('[data-testid="histogram-bar"]').map((b) => b.attributes('data-count'))).toEqual(['4', '6']);
  });

  it('lists a clean version’s duplicate clusters, opens one, restores a copy (list re-read) and pages', async () => {
    const fake = backend([v1, v2]);
    const restored = new Set<number>();
    const cluster = (kept: number) => ({
      keptIdx: kept, copies: 2, kept: turn(`kept question ${kept}`),
      duplicates: [kept + 100, kept + 200].map((idx) => ({ idx, operator: 'exact_dedup', reason: `exact duplicate of #${kept}`, record: turn(`copy ${idx}`), restoredAt: restored.has(idx) ? '2026-01-03T00:00:00Z' : null })),
    });
    fake.handlers['data.duplicates'] = ({ offset = 0 }): MethodOutput<'data.duplicates'> => ({ total: 12, clusters: offset === 0 ? [cluster(1), cluster(2)] : [cluster(30)] });
    fake.handlers['data.restore'] = ({ idx }) => {
      restored.add(idx!);
      return { restored: 1, dataset: dataset({ currentVersion: { ...v2, recordCount: 8 }, versions: [v1, { ...v2, recordCount: 8 }] }) };
    };
    const w = await open(fake);
    expect(fake.calls.filter((c) => c.method === 'data.duplicates').map((c) => c.input)).toEqual([{ versionId: 'v2', offset: 0, limit: 10 }]);
    const clusters = w.findAll('[data-testid="duplicate-cluster"]');
    expect(clusters).toHaveLength(2);
    expect(clusters[0].text()).toContain('kept question 1');
    expect(clusters[0].get('[data-testid="cluster-copies"]').text()).toBe('2 copies');
    const copy = clusters[0].get('[data-testid="duplicate-copy"][data-idx="101"]');
    expect(copy.text()).toContain('exact duplicate of #1');
    await copy.get('[data-testid="copy-restore"]').trigger('click');
    await flush();
    expect(fake.calls.find((c) => c.method === 'data.restore')!.input).toEqual({ versionId: 'v2', idx: 101 });
    expect(fake.calls.filter((c) => c.method === 'data.duplicates')).toHaveLength(2);
    expect(w.get('[data-testid="duplicate-copy"][data-idx="101"]').find('[data-testid="copy-restored"]').exists()).toBe(true);
    expect(useDataStore().version?.recordCount).toBe(8);
    await w.get('[data-testid="duplicates-next"]').trigger('click');
    await flush();
    expect(fake.calls.filter((c) => c.method === 'data.duplicates').pop()!.input).toEqual({ versionId: 'v2', offset: 10, limit: 10 });
    expect(w.findAll('[data-testid="duplicate-cluster"]').map((c) => c.attributes('data-kept'))).toEqual(['30']);
    expect(w.text()).toContain('11–12 of 12');
  });
});
