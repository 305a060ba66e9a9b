// Who may open the API WebSocket: a page from this server's own origin (browsers enforce Origin, so other sites are
// kept out) that also presents this launch's secret token (any local process can forge an Origin header, so only the
// token keeps other users and programs on this machine out). Refusals are counted for the server's stats.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_PROTOCOL_PREFIX } from '../common/api-token';

export function newApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A page from any other site could otherwise script this local API (and a rebinding DNS name could too). */
export function isAllowedOrigin(req: IncomingMessage, allowedOrigins: Set<string>): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!host || !allowedOrigins.has(`http://${host}`)) return false;
  return origin === undefined ? false : allowedOrigins.has(origin);
}

/** The token offered in the handshake's Sec-WebSocket-Protocol list, or null. */
export function offeredToken(req: IncomingMessage): string | null {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return null;
  const entry = header.split(',').map((p) => p.trim()).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry ? entry.slice(TOKEN_PROTOCOL_PREFIX.length) : null;
}

/** Constant-time comparison, so the answer's timing says nothing about how much of a guess was right. */
export function tokenMatches(offered: string | null, expected: string): boolean {
  if (offered === null) return false;
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type Refusal = 'path' | 'origin' | 'token';

export interface AuthDecision {
  ok: boolean;
  refusal?: Refusal;
}

export function authorizeUpgrade(req: IncomingMessage, path: string, allowedOrigins: Set<string>, token: string): AuthDecision {
  if ((req.url ?? '').split('?')[0] !== path) return { ok: false, refusal: 'path' };
  if (!isAllowedOrigin(req, allowedOrigins)) return { ok: false, refusal: 'origin' };
  if (!tokenMatches(offeredToken(req), token)) return { ok: false, refusal: 'token' };
  return { ok: true };
}
