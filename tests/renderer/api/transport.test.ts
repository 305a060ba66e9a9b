// Picking the transport (preload bridge vs serve-mode WebSocket) and unwrapping the bridge's envelopes.
import { describe, expect, it, vi } from 'vitest';
import type { PreloadBridge } from '../../../src-main/common/contract';
import { ApiError } from '../../../src-main/common/errors';
import { createBridgeClient, pickTransport, wsUrlFor } from '../../../src-renderer/src/api';
import type { WebSocketLike } from '../../../src-renderer/src/api/ws-client';
import { job } from '../helpers/fixtures';

function fakeBridge(overrides: Partial<PreloadBridge> = {}): PreloadBridge {
  const handlers = new Map<string, (payload: unknown) => void>();
  return {
    onEvent: vi.fn((event: string, handler: (payload: unknown) => void) => {
      handlers.set(event, handler);
      return () => handlers.delete(event);
    }),
    ...overrides,
    emit: (event: string, payload: unknown) => handlers.get(event)?.(payload),
  } as unknown as PreloadBridge;
}

class RecordingSocket implements WebSocketLike {
  static urls: string[] = [];
  static protocols: (string[] | undefined)[] = [];
  readyState = 0;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  constructor(url: string, protocols?: string[]) {
    RecordingSocket.urls.push(url);
    RecordingSocket.protocols.push(protocols);
  }
  send(): void {}
  close(): void {}
}

describe('pickTransport', () => {
  it('uses window.ftstudio when the preload exposes it', () => {
    const transport = pickTransport({ ftstudio: fakeBridge(), location: { protocol: 'file:', host: '' } });
    expect(transport.kind).toBe('electron');
    expect(transport.connection().status).toBe('connected');
  });

  it('otherwise opens a WebSocket to /api on the host the page came from, presenting the address\'s token', () => {
    RecordingSocket.urls = [];
    RecordingSocket.protocols = [];
    const token = 'a'.repeat(43);
    const replaced: string[] = [];
    const stored = new Map<string, string>();
    const host = {
      location: { protocol: 'http:', host: '127.0.0.1:5123', search: `?token=${token}`, href: `http://127.0.0.1:5123/?token=${token}#/train` },
      history: { replaceState: (_d: unknown, _u: string, url?: string) => { replaced.push(url!); } },
      sessionStorage: { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => { stored.set(k, v); } },
    };
    const transport = pickTransport(host, RecordingSocket);
    expect(transport.kind).toBe('websocket');
    expect(RecordingSocket.urls).toEqual(['ws://127.0.0.1:5123/api']);
    expect(RecordingSocket.protocols).toEqual([['ftstudio', `ftstudio-token.${token}`]]);
    // the key leaves the address bar at once, and a reload of this tab (no ?token=) still finds it
    expect(replaced).toEqual(['http://127.0.0.1:5123/#/train']);
    transport.close();
    const reloaded = pickTransport({ ...host, location: { ...host.location, search: '', href: 'http://127.0.0.1:5123/#/train' } }, RecordingSocket);
    expect(RecordingSocket.protocols[1]).toEqual(['ftstudio', `ftstudio-token.${token}`]);
    reloaded.close();
  });

  it('says which address to open when the page has no access key', async () => {
    const transport = pickTransport({ location: { protocol: 'http:', host: '127.0.0.1:5123', search: '' } }, RecordingSocket);
    expect(transport.connection()).toMatchObject({ status: 'disconnected', detail: expect.stringMatching(/ftstudio serve.*\?token=/) });
    await expect(transport.call('app.info', {})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('uses wss: for pages served over https', () => {
    expect(wsUrlFor({ protocol: 'https:', host: 'studio.local:8443' })).toBe('wss://studio.local:8443/api');
  });

  it('says plainly that nothing is reachable when opened as a bare file', async () => {
    const transport = pickTransport({ location: { protocol: 'file:', host: '' } });
    expect(transport.connection()).toMatchObject({ status: 'disconnected', transport: 'none' });
    await expect(transport.call('app.info', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('createBridgeClient', () => {
  it('unwraps ok envelopes and passes the input through', async () => {
    const get = vi.fn(async () => ({ ok: true as const, value: job({ id: 'x' }) }));
    const client = createBridgeClient(fakeBridge({ 'jobs.get': get }));
    await expect(client.call('jobs.get', { id: 'x' })).resolves.toMatchObject({ id: 'x' });
    expect(get).toHaveBeenCalledWith({ id: 'x' });
  });

  it('turns error envelopes into ApiError with code and message', async () => {
    const client = createBridgeClient(fakeBridge({
      'store.moveAside': async () => ({ ok: false as const, error: { code: 'conflict', message: 'A job is running.' } }),
    }));
    const err = await client.call('store.moveAside', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'conflict', message: 'A job is running.' });
  });

  it('forwards events that match the contract and drops the rest', () => {
    const bridge = fakeBridge();
    const client = createBridgeClient(bridge);
    const handler = vi.fn();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    client.on('job.log', handler);
    const emit = (bridge as unknown as { emit: (e: string, p: unknown) => void }).emit;
    emit('job.log', { id: 'j', level: 'info', text: 'hello' });
    emit('job.log', { id: 'j', level: 'shout', text: 'HELLO' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith({ id: 'j', level: 'info', text: 'hello' });
    warn.mockRestore();
  });
});
