// The dispatcher and the in-memory transport: validation, typed errors, output checks and events.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src-main/common/errors';
import { methodNames } from '../../../src-main/common/contract';
import { dispatch, EventHub, type Handlers } from '../../../src-main/services/api-dispatch';
import { createMemoryClient } from '../../../src-main/services/memory-transport';

const job = {
  id: 'j1', kind: 'selftest', state: 'running', params: {}, progress: 0.5, message: null, reason: null,
  resumable: false, runDir: null, pid: 42, createdAt: '2026-01-01T00:00:00Z', startedAt: null, endedAt: null,
} as const;

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const fail = () => { throw new Error('not used in this test'); };
  // Every method fails unless a test gives it a handler, so new contract methods need no edit here.
  const all = Object.fromEntries(methodNames.map((m) => [m, fail])) as unknown as Handlers;
  return {
    ...all,
    'app.info': () => ({ name: 'Finetune Studio', version: '0.0.0', mode: 'memory', home: '/tmp/h', platform: 'linux' }),
    'jobs.list': () => [job],
    'jobs.get': ({ id }) => { throw new ApiError('not-found', `No job with id ${id}.`); },
    ...overrides,
  };
}

describe('dispatch', () => {
  it('rejects an unknown method with a typed error', async () => {
    const out = await dispatch(handlers(), 'jobs.delete', {});
    expect(out).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });

  it('rejects invalid input naming the field, without calling the handler', async () => {
    let called = false;
    const out = await dispatch(handlers({ 'jobs.cancel': () => { called = true; return job; } }), 'jobs.cancel', { id: 7 });
    expect(called).toBe(false);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe('invalid-input');
    expect(out.error.message).toMatch(/^Invalid input for jobs\.cancel: id: /);
    expect(await dispatch(handlers(), 'app.info', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('passes typed errors through and wraps unexpected ones as internal', async () => {
    expect(await dispatch(handlers(), 'jobs.get', { id: 'x' })).toEqual({ ok: false, error: { code: 'not-found', message: 'No job with id x.', details: undefined } });
    const boom = handlers({ 'jobs.list': () => { throw new TypeError('boom'); } });
    expect(await dispatch(boom, 'jobs.list', {})).toMatchObject({ ok: false, error: { code: 'internal', message: 'boom' } });
  });

  it('refuses a handler result that breaks the contract', async () => {
    const bad = handlers({ 'jobs.list': () => [{ ...job, progress: 7 }] });
    const out = await dispatch(bad, 'jobs.list', {});
    expect(out).toMatchObject({ ok: false, error: { code: 'internal' } });
    if (!out.ok) expect(out.error.message).toMatch(/breaks the contract/);
  });
});

describe('in-memory transport', () => {
  it('round-trips calls, throws ApiError and delivers events', async () => {
    const hub = new EventHub();
    const client = createMemoryClient(handlers(), hub);
    expect((await client.call('app.info', {})).mode).toBe('memory');
    await expect(client.call('jobs.get', { id: 'zz' })).rejects.toMatchObject({ name: 'ApiError', code: 'not-found' });
    const seen: number[] = [];
    const off = client.on('job.progress', (p) => seen.push(p.progress));
    hub.emit('job.progress', { id: 'j1', progress: 0.25, message: null, rate: 2, etaSeconds: 3 });
    off();
    hub.emit('job.progress', { id: 'j1', progress: 0.5, message: null, rate: 2, etaSeconds: 1 });
    expect(seen).toEqual([0.25]);
  });

  it('will not emit an event payload that breaks the contract', () => {
    const hub = new EventHub();
    expect(() => hub.emit('job.progress', { id: 'j1', progress: 'half' } as never)).toThrow();
  });
});
