// The data store: loads operators and datasets, imports with a task id (progress, cancel), previews, cleans, restores, undoes, mixes, exports.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { MethodInput } from '../../../src-main/common/contract';
import type { RecordChange } from '../../../src-main/common/datasets';
import { ApiError } from '../../../src-main/common/errors';
import { installApi } from '../../../src-renderer/src/api';
import { useDataStore } from '../../../src-renderer/src/stores/data';
import { createFakeApi, flush, type FakeApi } from '../helpers/fake-api';
import { dataset, OPS, version } from '../helpers/data-fixtures';

const v2 = version({ id: 'v2', version: 2, parentVersionId: 'v1', kind: 'clean', recordCount: 2 });
const change = (idx: number, restoredAt: string | null = null): RecordChange => ({
  idx, step: 1, operator: 'exact_dedup', action: 'removed', reason: 'exact duplicate', duplicateOf: 0,
  before: { messages: [{ role: 'user', content: 'q' }] }, after: null, restoredAt,
});

let fake: FakeApi;
beforeEach(() => {
  fake = createFakeApi({
    'data.ops': () => OPS,
    'data.list': () => [dataset({ name: 'zeta', id: 'dz' }), dataset()],
    'data.changes': () => ({ total: 1, rows: [change(2)], byOperator: [{ step: 1, operator: 'exact_dedup', removed: 1, changed: 0, restored: 0 }] }),
  });
  installApi(fake.transport);
  setActivePinia(createPinia());
});
const callsOf = (m: string) => fake.calls.filter((c) => c.method === m).map((c) => c.input);

describe('data store', () => {
  it('loads the operators (grouped) and the datasets (sorted by name)', async () => {
    const store = useDataStore();
    await store.load();
    expect(store.datasets.map((d) => d.name)).toEqual(['chats', 'zeta']);
    expect(store.opsByGroup.map((g) => g.group)).toEqual(['dedup', 'pii', 'filter']);
  });

  it('imports under its own task id, follows that task’s progress only, then selects the new dataset', async () => {
    let release!: () => void;
    fake.handlers['data.import'] = (input) => new Promise((resolve) => {
      release = () => resolve({ dataset: dataset({ name: input.name }), report: { files: [], records: 3, skipped: 1, problems: [], seconds: 0.1 } });
    });
    const store = useDataStore();
    const done = store.importData({ paths: ['/tmp/a.jsonl'], name: 'chats', skipBadRows: true });
    const taskId = (callsOf('data.import')[0] as MethodInput<'data.import'>).taskId!;
    expect(taskId).toMatch(/^import-/);
    expect(store.tasks.import).toBe(taskId);
    fake.emit('data.progress', { taskId: 'someone-else', phase: 'x', done: 1, total: 2, unit: 'rows', ratePerSecond: 1, etaSeconds: 1, records: null, recordsPerSecond: null });
    fake.emit('data.progress', { taskId, phase: 'reading a.jsonl', done: 2, total: 4, unit: 'bytes', ratePerSecond: 500, etaSeconds: 0.004, records: 20, recordsPerSecond: 5000 });
    expect(store.progressOf('import')?.done).toBe(2);
    expect(Object.keys(store.progress)).toEqual([taskId]);
    release();
    await done;
    expect(store.tasks.import).toBeNull();
    expect(store.importResult?.report.skipped).toBe(1);
    expect(store.selectedName).toBe('chats');
    expect(store.version?.id).toBe('v1');
  });

  it('cancels by task id and says nothing was saved; other errors are shown verbatim', async () => {
    let fail!: (err: Error) => void;
    fake.handlers['data.import'] = () => new Promise((_, reject) => { fail = reject; });
    fake.handlers['data.cancel'] = () => ({ cancelled: true });
    const store = useDataStore();
    const done = store.importData({ paths: ['/a'], name: 'a' });
    const taskId = store.tasks.import;
    await store.cancel('import');
    expect(callsOf('data.cancel')).toEqual([{ taskId }]);
    fail(new ApiError('conflict', 'cancelled'));
    await done;
    expect(store.errors.import).toBe('Cancelled: nothing was saved.');

    fake.handlers['data.import'] = () => { throw new ApiError('invalid-input', '/tmp/a.jsonl:3:14: Unexpected token } in JSON'); };
    await store.importData({ paths: ['/tmp/a.jsonl'], name: 'a' });
    expect(store.errors.import).toBe('/tmp/a.jsonl:3:14: Unexpected token } in JSON');
  });

  it('builds a recipe (defaults filled, reorder, remove) and previews one step on the working version', async () => {
    fake.handlers['data.preview'] = () => ({ examined: 3, kept: 2, removed: 1, changed: 0, samples: [] });
    const store = useDataStore();
    await store.load();
    store.select('chats');
    store.addStep('pii_redact');
    store.addStep('exact_dedup');
    expect(store.recipe[0].params).toEqual({ kinds: ['email', 'phone'], action: 'redact' });
    store.moveStep(store.recipe[1].uid, -1);
    expect(store.recipeForApi.steps.map((s) => s.op)).toEqual(['exact_dedup', 'pii_redact']);
    await store.preview(store.recipe[0].uid);
    expect(callsOf('data.preview')[0]).toEqual({ versionId: 'v1', step: { op: 'exact_dedup', params: { normalize: true } }, sample: 2000 });
    expect(store.previews[store.recipe[0].uid].removed).toBe(1);
    store.removeStep(store.recipe[0].uid);
    expect(store.recipe.map((s) => s.op)).toEqual(['pii_redact']);
  });

  it('cleans into a new version, lists its changes, restores one record, then undoes the version', async () => {
    const cleaned = dataset({ currentVersion: v2, versions: [version(), v2] });
    fake.handlers['data.clean'] = () => ({ dataset: cleaned, version: v2, steps: [{ step: 1, op: 'exact_dedup', removed: 1, changed: 0 }], examined: 3, seconds: 0.2 });
    fake.handlers['data.restore'] = () => ({ restored: 1, dataset: cleaned });
    fake.handlers['data.undo'] = () => dataset();
    const store = useDataStore();
    await store.load();
    store.select('chats');
    store.addStep('exact_dedup');
    await store.clean();
    expect((callsOf('data.clean')[0] as MethodInput<'data.clean'>).recipe).toEqual({ steps: [{ op: 'exact_dedup', params: { normalize: true } }] });
    expect(store.version?.id).toBe('v2');
    expect(callsOf('data.changes')[0]).toEqual({ versionId: 'v2', offset: 0, limit: 50 });
    expect(store.changes?.rows[0].idx).toBe(2);

    await store.filterChanges('exact_dedup');
    expect(callsOf('data.changes').at(-1)).toEqual({ versionId: 'v2', offset: 0, limit: 50, operator: 'exact_dedup' });
    expect(await store.restore({ idx: 2 })).toBe(1);
    expect(callsOf('data.restore')[0]).toEqual({ versionId: 'v2', idx: 2 });
    await store.restore({ operator: 'exact_dedup' });
    expect(callsOf('data.restore')[1]).toEqual({ versionId: 'v2', operator: 'exact_dedup' });

    expect(await store.undo('v2')).toBe(true);
    expect(callsOf('data.undo')[0]).toEqual({ versionId: 'v2' });
    expect(store.version?.id).toBe('v1');
    expect(store.cleanResult).toBeNull();
  });

  it('mixes with a task id and exports, keeping the written paths or the error', async () => {
    fake.handlers['data.mix'] = (input) => ({ dataset: dataset({ id: 'dm', name: input.name }), eval: null });
    fake.handlers['data.export'] = (input) => ({ path: input.path, cardPath: '/out/README.md', records: 3 });
    const store = useDataStore();
    await store.mix({ name: 'blend', sources: [{ versionId: 'v1', ratio: 7 }], evalFraction: 0.1, seed: 1 });
    expect(callsOf('data.mix')[0]).toMatchObject({ name: 'blend', sources: [{ versionId: 'v1', ratio: 7 }], evalFraction: 0.1, seed: 1 });
    expect((callsOf('data.mix')[0] as MethodInput<'data.mix'>).taskId).toMatch(/^mix-/);
    expect(store.datasets.some((d) => d.name === 'blend')).toBe(true);
    await store.exportVersion({ versionId: 'v1', path: '/out/train.jsonl', format: 'alpaca' });
    expect(store.exportResult).toEqual({ path: '/out/train.jsonl', cardPath: '/out/README.md', records: 3 });
    fake.handlers['data.export'] = () => { throw new ApiError('conflict', '/out/train.jsonl exists'); };
    await store.exportVersion({ versionId: 'v1', path: '/out/train.jsonl' });
    expect(store.errors.export).toBe('/out/train.jsonl exists');
    await flush();
  });
});
