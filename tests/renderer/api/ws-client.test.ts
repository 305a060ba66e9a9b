// The serve-mode WebSocket client: ids match replies to calls, errors become ApiError, events are checked, reconnect works.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src-main/common/errors';
import type { WireRequest } from '../../../src-main/common/wire';
import { createWsClient, type WebSocketLike } from '../../../src-renderer/src/api/ws-client';
import type { ApiTransport, ConnectionState } from '../../../src-renderer/src/api';
import { job } from '../helpers/fixtures';

class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: WireRequest[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as WireRequest);
  }

  close(): void {
    this.readyState = 3;
  }

  // test side
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }

  static latest(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }
}

let client: ApiTransport;

beforeEach(() => {
  FakeSocket.instances = [];
  client = createWsClient({
    url: 'ws://127.0.0.1:5123/api',
    WebSocketCtor: FakeSocket,
    reconnect: { initialMs: 100, maxMs: 1_000, factor: 2 },
    queueTimeoutMs: 5_000,
  });
});

afterEach(() => {
  client.close();
  vi.useRealTimers();
});

describe('createWsClient', () => {
  it('opens the given URL and reports connecting, then connected', () => {
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.latest().url).toBe('ws://127.0.0.1:5123/api');
    expect(client.connection().status).toBe('connecting');
    const seen: ConnectionState['status'][] = [];
    client.onConnectionChange((s) => seen.push(s.status));
    FakeSocket.latest().open();
    expect(client.connection().status).toBe('connected');
    expect(seen).toEqual(['connected']);
  });

  it('queues calls made before the socket opens and sends them as wire requests once it does', async () => {
    const pending = client.call('app.info', {});
    const socket = FakeSocket.latest();
    expect(socket.sent).toHaveLength(0);
    socket.open();
    expect(socket.sent).toEqual([{ kind: 'call', id: expect.any(Number), method: 'app.info', input: {} }]);
    const info = { name: 'Finetune Studio', version: '0.1.0', mode: 'serve', home: '/data', platform: 'linux' };
    socket.receive({ kind: 'reply', id: socket.sent[0].id, ok: true, value: info });
    await expect(pending).resolves.toEqual(info);
  });

  it('matches replies to calls by id, even when they arrive out of order', async () => {
    const socket = FakeSocket.latest();
    socket.open();
    const a = client.call('jobs.get', { id: 'a' });
    const b = client.call('jobs.get', { id: 'b' });
    const [reqA, reqB] = socket.sent;
    expect(reqA.id).not.toBe(reqB.id);
    expect(reqA.input).toEqual({ id: 'a' });
    socket.receive({ kind: 'reply', id: reqB.id, ok: true, value: job({ id: 'b' }) });
    socket.receive({ kind: 'reply', id: reqA.id, ok: true, value: job({ id: 'a' }) });
    expect((await a).id).toBe('a');
    expect((await b).id).toBe('b');
  });

  it('turns an ok:false reply into an ApiError with its code, message and details', async () => {
    const socket = FakeSocket.latest();
    socket.open();
    const pending = client.call('jobs.get', { id: 'nope' });
    socket.receive({ kind: 'reply', id: socket.sent[0].id, ok: false, error: { code: 'not-found', message: 'No job nope.', details: { id: 'nope' } } });
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'not-found', message: 'No job nope.', details: { id: 'nope' } });
  });

  it('turns a malformed error into an internal ApiError instead of hanging', async () => {
    const socket = FakeSocket.latest();
    socket.open();
    const pending = client.call('app.info', {});
    socket.receive({ kind: 'reply', id: socket.sent[0].id, ok: false, error: 'boom' });
    await expect(pending).rejects.toMatchObject({ name: 'ApiError', code: 'internal' });
  });

  it('delivers pushed events to their subscribers only, and drops payloads that break the contract', () => {
    const socket = FakeSocket.latest();
    socket.open();
    const progress = vi.fn();
    const logs = vi.fn();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const off = client.on('job.progress', progress);
    client.on('job.log', logs);
    const payload = { id: 'j', progress: 0.5, message: 'step 10/20', rate: 9.5, etaSeconds: 1.1 };
    socket.receive({ kind: 'event', event: 'job.progress', payload });
    socket.receive({ kind: 'event', event: 'job.progress', payload: { id: 'j', progress: 'half' } });
    expect(progress).toHaveBeenCalledTimes(1);
    expect(progress).toHaveBeenCalledWith(payload);
    expect(logs).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalled();
    off();
    socket.receive({ kind: 'event', event: 'job.progress', payload });
    expect(progress).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('on a lost connection: shows disconnected, fails calls in flight, reconnects with backoff and resends queued calls', async () => {
    vi.useFakeTimers();
    const first = FakeSocket.latest();
    first.open();
    const inFlight = client.call('hardware.get', {});
    first.drop(1006);
    expect(client.connection()).toMatchObject({ status: 'disconnected', transport: 'websocket' });
    expect(client.connection().detail).toContain('1006');
    await expect(inFlight).rejects.toMatchObject({ code: 'unavailable' });

    const queued = client.call('store.status', {});
    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(client.connection().status).toBe('connecting');

    // The second try fails too: the next wait is longer (backoff).
    FakeSocket.latest().drop();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    const third = FakeSocket.latest();
    expect(FakeSocket.instances).toHaveLength(3);
    third.open();
    expect(client.connection().status).toBe('connected');
    expect(third.sent.map((r) => r.method)).toEqual(['store.status']);
    const status = { path: '/d/ftstudio.duckdb', ok: true, schemaVersion: 1, supportedVersion: 1, problem: null, message: null };
    third.receive({ kind: 'reply', id: third.sent[0].id, ok: true, value: status });
    await expect(queued).resolves.toEqual(status);
  });

  it('fails a call that waited too long for a connection, with a readable unavailable error', async () => {
    vi.useFakeTimers();
    const pending = client.call('app.info', {});
    const result = pending.catch((e: unknown) => e);
    vi.advanceTimersByTime(5_000);
    const err = await result;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'unavailable' });
    expect((err as ApiError).message).toMatch(/not connected/i);
  });

  it('close() stops reconnecting and rejects what is pending', async () => {
    vi.useFakeTimers();
    const socket = FakeSocket.latest();
    socket.open();
    const pending = client.call('app.info', {});
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'unavailable' });
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(client.connection().status).toBe('disconnected');
  });
});
