// The jobs store: loads the list, applies job.updated / job.progress / job.log events, starts the self-test, cancels.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { installApi } from '../../../src-renderer/src/api';
import { useJobsStore } from '../../../src-renderer/src/stores/jobs';
import { createFakeApi, flush, type FakeApi } from '../helpers/fake-api';
import { job } from '../helpers/fixtures';

let fake: FakeApi;

beforeEach(() => {
  fake = createFakeApi({
    'jobs.list': () => [job({ id: 'old', state: 'completed', progress: 1, createdAt: '2025-11-27T18:00:00.000Z' }), job({ id: 'j1' })],
    'jobs.start': (input) => job({ id: 'new', state: 'queued', params: input.params ?? {}, createdAt: '2025-11-27T20:00:00.000Z' }),
    'jobs.cancel': ({ id }) => job({ id, state: 'cancelled' }),
    'jobs.get': ({ id }) => job({ id, createdAt: '2025-11-27T21:00:00.000Z' }),
  });
  installApi(fake.transport);
  setActivePinia(createPinia());
});

describe('jobs store', () => {
  it('loads the list, newest first, and counts active jobs', async () => {
    const store = useJobsStore();
    await store.load();
    expect(store.jobs.map((j) => j.id)).toEqual(['j1', 'old']);
    expect(store.activeCount).toBe(1);
  });

  it('applies job.progress: progress, message, rate and ETA', async () => {
    const store = useJobsStore();
    await store.load();
    fake.emit('job.progress', { id: 'j1', progress: 0.25, message: 'step 5/20', rate: 9.8, etaSeconds: 1.5 });
    expect(store.byId.j1.progress).toBe(0.25);
    expect(store.byId.j1.message).toBe('step 5/20');
    expect(store.live.j1).toEqual({ rate: 9.8, etaSeconds: 1.5 });
    expect(store.byId.j1.state).toBe('running');
  });

  it('applies job.updated: replaces the job, clears live numbers at the end, and ignores late progress', async () => {
    const store = useJobsStore();
    await store.load();
    fake.emit('job.progress', { id: 'j1', progress: 0.5, message: null, rate: 10, etaSeconds: 1 });
    fake.emit('job.updated', job({ id: 'j1', state: 'failed', progress: 0.5, reason: 'engine process killed by SIGABRT', resumable: true }));
    expect(store.byId.j1).toMatchObject({ state: 'failed', reason: 'engine process killed by SIGABRT', resumable: true });
    expect(store.live.j1).toBeUndefined();
    expect(store.activeCount).toBe(0);
    fake.emit('job.progress', { id: 'j1', progress: 0.6, message: null, rate: 10, etaSeconds: 1 });
    expect(store.byId.j1.progress).toBe(0.5);
  });

  it('adds a job it first hears of through job.updated, and fetches one it first hears of through progress', async () => {
    const store = useJobsStore();
    fake.emit('job.updated', job({ id: 'fresh', state: 'queued' }));
    expect(store.byId.fresh.state).toBe('queued');
    fake.emit('job.progress', { id: 'stranger', progress: 0.1, message: null, rate: null, etaSeconds: null });
    await flush();
    expect(fake.calls.filter((c) => c.method === 'jobs.get')).toEqual([{ method: 'jobs.get', input: { id: 'stranger' } }]);
    expect(store.byId.stranger).toBeDefined();
  });

  it('keeps the last log lines per job', () => {
    const store = useJobsStore();
    for (let i = 0; i < 205; i++) fake.emit('job.log', { id: 'j1', level: 'info', text: `line ${i}` });
    expect(store.logs.j1).toHaveLength(200);
    expect(store.logs.j1[199].text).toBe('line 204');
  });

  it('starts the engine self-test with 20 steps of 100 ms', async () => {
    const store = useJobsStore();
    const started = await store.startSelftest();
    expect(fake.calls).toContainEqual({ method: 'jobs.start', input: { kind: 'selftest', params: { steps: 20, stepMs: 100 } } });
    expect(started?.id).toBe('new');
    expect(store.jobs[0].id).toBe('new');
    expect(store.starting).toBe(false);
  });

  it('cancels a job and shows the state the back end returns', async () => {
    const store = useJobsStore();
    await store.load();
    await store.cancel('j1');
    expect(fake.calls).toContainEqual({ method: 'jobs.cancel', input: { id: 'j1' } });
    expect(store.byId.j1.state).toBe('cancelled');
    expect(store.cancelling.j1).toBeUndefined();
  });

  it('does not let a late list reply bring a finished job back to running', async () => {
    const store = useJobsStore();
    fake.emit('job.updated', job({ id: 'j1', state: 'completed', progress: 1 }));
    await store.load(); // the list still says running
    expect(store.byId.j1.state).toBe('completed');
  });

  it('shows a readable error when the back end refuses, and reloads the list after a reconnect', async () => {
    fake.handlers['jobs.start'] = () => { throw new Error('The engine cannot start: no CPU left.'); };
    const store = useJobsStore();
    expect(await store.startSelftest()).toBeNull();
    expect(store.error).toBe('The engine cannot start: no CPU left.');
    const before = fake.calls.filter((c) => c.method === 'jobs.list').length;
    fake.setConnection('disconnected');
    fake.setConnection('connected');
    await flush();
    expect(fake.calls.filter((c) => c.method === 'jobs.list').length).toBe(before + 1);
  });
});
