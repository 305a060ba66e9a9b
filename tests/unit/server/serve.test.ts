// Serve mode over real HTTP and WebSocket: static files with the CSP header, origin checks, calls and events.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventHub, type Handlers } from '../../../src-main/services/api-dispatch';
import { tokenProtocols } from '../../../src-main/common/api-token';
import { startServer, type RunningServer } from '../../../src-main/server/serve';
import { resolveStaticPath } from '../../../src-main/server/static-files';

const root = mkdtempSync(join(tmpdir(), 'ftstudio-serve-'));
const rendererDir = join(root, 'renderer');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>x</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'outside');

const hub = new EventHub();
const handlers = {
  'app.info': () => ({ name: 'Finetune Studio', version: '0.1.0', mode: 'serve', home: root, platform: 'linux' }),
} as unknown as Handlers;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ services: { handlers, hub, close: async () => {} }, rendererDir, port: 0 });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function connect(origin: string | undefined, token: string | null = server.token): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, token === null ? [] : tokenProtocols(token), origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
}

describe('serve', () => {
  it('binds to loopback and serves the renderer with a strict CSP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>x</title>');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect((await fetch(`${server.origin}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
  });

  it('never serves a file outside the renderer folder', async () => {
    expect(resolveStaticPath(rendererDir, '/../secret.txt')).toBeNull();
    expect(resolveStaticPath(rendererDir, '/%2e%2e/secret.txt')).toBeNull();
    expect(resolveStaticPath(rendererDir, '/assets/app.js')).toBe(join(rendererDir, 'assets', 'app.js'));
    expect((await fetch(`${server.origin}/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${server.origin}/nope.js`)).status).toBe(404);
  });

  it('refuses WebSocket connections from other origins', async () => {
    await expect(connect('https://evil.example')).rejects.toThrow(/403/);
    await expect(connect(undefined)).rejects.toThrow(/403/);
  });

  it('answers calls, reports invalid input as a typed error, and pushes events', async () => {
    const ws = await connect(`http://127.0.0.1:${server.port}`);
    expect(ws.protocol).toBe('ftstudio');
    ws.send(JSON.stringify({ kind: 'call', id: 1, method: 'app.info', input: {} }));
    expect(await nextMessage(ws)).toMatchObject({ kind: 'reply', id: 1, ok: true, value: { mode: 'serve' } });
    ws.send(JSON.stringify({ kind: 'call', id: 2, method: 'app.info', input: { bogus: true } }));
    expect(await nextMessage(ws)).toMatchObject({ kind: 'reply', id: 2, ok: false, error: { code: 'invalid-input' } });
    ws.send(JSON.stringify({ kind: 'call', id: 3, method: 'no.such', input: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 3, ok: false, error: { code: 'unknown-method' } });
    const event = nextMessage(ws);
    hub.emit('job.log', { id: 'j', level: 'info', text: 'hello' });
    expect(await event).toEqual({ kind: 'event', event: 'job.log', payload: { id: 'j', level: 'info', text: 'hello' } });
    ws.close();
  });

  it('closes a connection that sends something other than a call', async () => {
    const ws = await connect(`http://localhost:${server.port}`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('not json');
    expect(await closed).toBe(1003);
  });
});
