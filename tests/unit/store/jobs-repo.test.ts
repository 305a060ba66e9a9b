// JobsRepo: jobs round-trip through the store, and save() writes the row and its journal entry together or not at all.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src-main/store/index';
import { sampleJob, tempDirs } from './helpers';

const dirs = tempDirs('ftstudio-jobs-');
let store: Store;
let path: string;

beforeEach(async () => {
  path = join(dirs.make(), 'studio.duckdb');
  store = await openStore(path);
});
afterEach(async () => {
  await store.close();
  dirs.cleanup();
});

describe('JobsRepo', () => {
  it('inserts and gets a job with every field intact', async () => {
    const job = sampleJob({
      params: { steps: 3, nested: { a: [1, 2, 'x'], b: null }, text: 'quote " and \\u00e9 ü' },
      progress: 0.25, message: 'step 1/4', reason: 'why', resumable: true, runDir: '/runs/r1', pid: 4242,
      startedAt: '2025-01-01T00:00:01.000Z', endedAt: '2025-01-01T00:00:02.000Z', state: 'running',
    });
    await store.jobs.insert(job);
    expect(await store.jobs.get(job.id)).toEqual(job);
    expect(await store.jobs.get('nope')).toBeUndefined();
  });

  it('rejects a second job with the same id', async () => {
    await store.jobs.insert(sampleJob());
    await expect(store.jobs.insert(sampleJob({ message: 'dup' }))).rejects.toThrow(/[Cc]onstraint|[Dd]uplicate/);
    expect((await store.jobs.get('job-1'))?.message).toBeNull();
  });

  it('lists newest first (ties by id), and lists unfinished ones oldest first', async () => {
    const jobs = [
      sampleJob({ id: 'a', createdAt: '2025-01-01T00:00:01Z', state: 'completed' }),
      sampleJob({ id: 'b', createdAt: '2025-01-01T00:00:03Z', state: 'running' }),
      sampleJob({ id: 'c', createdAt: '2025-01-01T00:00:02Z', state: 'queued' }),
      sampleJob({ id: 'd', createdAt: '2025-01-01T00:00:03Z', state: 'failed' }),
      sampleJob({ id: 'e', createdAt: '2025-01-01T00:00:00Z', state: 'interrupted' }),
      sampleJob({ id: 'f', createdAt: '2025-01-01T00:00:04Z', state: 'cancelled' }),
      sampleJob({ id: 'g', createdAt: '2025-01-01T00:00:00Z', state: 'running' }),
    ];
    for (const job of jobs) await store.jobs.insert(job);
    expect((await store.jobs.list()).map((j) => j.id)).toEqual(['f', 'd', 'b', 'c', 'a', 'g', 'e']);
    expect((await store.jobs.listUnfinished()).map((j) => j.id)).toEqual(['g', 'c', 'b']);
  });

  it('save() rewrites the whole row and appends journal entries in order', async () => {
    const queued = sampleJob();
    await store.jobs.insert(queued);
    const running = { ...queued, state: 'running' as const, pid: 77, startedAt: '2025-01-01T00:00:01Z', message: 'starting' };
    await store.jobs.save(running, 'started', { pid: 77 });
    const done = { ...running, state: 'completed' as const, progress: 1, pid: null, message: null, endedAt: '2025-01-01T00:00:09Z' };
    await store.jobs.save(done, 'completed');
    expect(await store.jobs.get(queued.id)).toEqual(done);
    expect(await store.jobs.listUnfinished()).toEqual([]);

    const events = await store.jobs.events(queued.id);
    expect(events.map(({ jobId, seq, type, payload }) => ({ jobId, seq, type, payload }))).toEqual([
      { jobId: 'job-1', seq: 1, type: 'started', payload: { pid: 77 } },
      { jobId: 'job-1', seq: 2, type: 'completed', payload: null },
    ]);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(await store.jobs.events('other')).toEqual([]);
  });

  it('save() refuses a job that was never inserted and journals nothing', async () => {
    await expect(store.jobs.save(sampleJob({ id: 'ghost' }), 'started')).rejects.toThrow(/No job ghost in the journal/);
    expect(await store.jobs.events('ghost')).toEqual([]);
  });

  it('numbers each job\'s journal on its own and returns it in seq order', async () => {
    await store.jobs.insert(sampleJob({ id: 'x' }));
    await store.jobs.insert(sampleJob({ id: 'y' }));
    for (let i = 1; i <= 12; i++) {
      await store.jobs.save(sampleJob({ id: 'x', progress: i / 12 }), 'progress', { i });
      if (i % 3 === 0) await store.jobs.save(sampleJob({ id: 'y', progress: i / 12 }), 'progress', { i });
    }
    const x = await store.jobs.events('x');
    expect(x.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(x.map((e) => (e.payload as { i: number }).i)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect((await store.jobs.events('y')).map((e) => [e.seq, (e.payload as { i: number }).i])).toEqual([[1, 3], [2, 6], [3, 9], [4, 12]]);
  });

  it('save() leaves the row unchanged when the journal insert fails (table gone)', async () => {
    const job = sampleJob({ message: 'before' });
    await store.jobs.insert(job);
    await store.jobs.save({ ...job, message: 'first save' }, 'note');
    await store.db.run('ALTER TABLE job_events RENAME TO job_events_away');

    await expect(store.jobs.save({ ...job, state: 'running', message: 'lost' }, 'started')).rejects.toThrow(/job_events/);
    expect(await store.jobs.get(job.id)).toEqual({ ...job, message: 'first save' });

    // The rollback left no transaction open: the store goes on working, and the journal has only the first entry.
    await store.db.run('ALTER TABLE job_events_away RENAME TO job_events');
    expect((await store.jobs.events(job.id)).map((e) => e.type)).toEqual(['note']);
    await store.jobs.save({ ...job, message: 'after' }, 'note2');
    expect((await store.jobs.get(job.id))?.message).toBe('after');
    expect((await store.jobs.events(job.id)).map((e) => [e.seq, e.type])).toEqual([[1, 'note'], [2, 'note2']]);
  });

  it('save() leaves the row unchanged when the payload cannot be journaled', async () => {
    const job = sampleJob();
    await store.jobs.insert(job);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(store.jobs.save({ ...job, state: 'failed', reason: 'x' }, 'failed', circular)).rejects.toThrow(/circular/i);
    await expect(store.jobs.save({ ...job, state: 'failed' }, 'failed', { n: 10n })).rejects.toThrow(/BigInt/i);
    expect(await store.jobs.get(job.id)).toEqual(job);
    expect(await store.jobs.events(job.id)).toEqual([]);
  });

  it('keeps saved jobs and their journal across a reopen', async () => {
    const job = sampleJob({ state: 'running', pid: 99 });
    await store.jobs.insert(job);
    await store.jobs.save({ ...job, progress: 0.5 }, 'progress', { p: 0.5 });
    await store.close();
    store = await openStore(path);
    expect(await store.jobs.get(job.id)).toEqual({ ...job, progress: 0.5 });
    expect((await store.jobs.listUnfinished()).map((j) => j.id)).toEqual([job.id]);
    expect((await store.jobs.events(job.id)).map((e) => e.payload)).toEqual([{ p: 0.5 }]);
  });
});
