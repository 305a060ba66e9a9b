// The serve-mode API's per-launch secret: a local process that forges the page's Origin header still cannot connect
// without the token; refusals are counted; the token is compared in constant time and never echoed back.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isWellFormedToken, tokenProtocols } from '../../../src-main/common/api-token';
import { EventHub, type Handlers } from '../../../src-main/services/api-dispatch';
import { offeredToken, tokenMatches } from '../../../src-main/server/api-auth';
import { startServer, type RunningServer } from '../../../src-main/server/serve';

const root = mkdtempSync(join(tmpdir(), 'ftstudio-token-'));
const rendererDir = join(root, 'renderer');
mkdirSync(rendererDir, { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>x</title>');
const handlers = { 'app.info': () => ({ name: 'Finetune Studio', version: '0', mode: 'serve', home: root, platform: 'linux' }) } as unknown as Handlers;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ services: { handlers, hub: new EventHub(), close: async () => {} }, rendererDir, port: 0 });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Resolves with the HTTP status of a refused handshake, or 101 when it opened. */
function handshake(protocols: string[], origin = server.origin): Promise<{ status: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, protocols, { origin });
    ws.once('open', () => { ws.close(); resolve({ status: 101 }); });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (err) => { if (!/Unexpected server response/.test(err.message)) reject(err); });
  });
}

describe('serve-mode API token', () => {
  it('is a fresh 32-byte secret per launch, carried in the printed address', async () => {
    expect(isWellFormedToken(server.token)).toBe(true);
    expect(new URL(server.url).searchParams.get('token')).toBe(server.token);
    const other = await startServer({ services: { handlers, hub: new EventHub(), close: async () => {} }, rendererDir, port: 0 });
    try {
      expect(other.token).not.toBe(server.token);
    } finally {
      await other.close();
    }
  });

  it('refuses a forged-origin connection without the token, or with a wrong one, and counts each refusal', async () => {
    const before = server.refused().token;
    expect((await handshake([])).status).toBe(401);
    expect((await handshake(['ftstudio'])).status).toBe(401);
    const wrong = server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A');
    expect((await handshake(tokenProtocols(wrong))).status).toBe(401);
    expect((await handshake(tokenProtocols(server.token.slice(1)))).status).toBe(401);
    expect(server.refused().token).toBe(before + 4);
  });

  it('still refuses a foreign origin even with the token', async () => {
    const before = server.refused().origin;
    expect((await handshake(tokenProtocols(server.token), 'https://evil.example')).status).toBe(403);
    expect(server.refused().origin).toBe(before + 1);
  });

  it('opens with the token, selects the plain protocol, and never sends the token back', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, tokenProtocols(server.token), { origin: server.origin });
    const headers = new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers));
      ws.once('error', reject);
    });
    const opened = new Promise((r) => ws.once('open', r));
    const seen = await headers;
    await opened;
    expect(ws.protocol).toBe('ftstudio');
    expect(JSON.stringify(seen)).not.toContain(server.token);
    ws.close();
  });

  it('reads the token from the protocol list and compares whole tokens only', () => {
    const req = (header?: string) => ({ headers: header === undefined ? {} : { 'sec-websocket-protocol': header } }) as never;
    expect(offeredToken(req('ftstudio, ftstudio-token.abc'))).toBe('abc');
    expect(offeredToken(req('ftstudio'))).toBeNull();
    expect(offeredToken(req())).toBeNull();
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
  });
});
