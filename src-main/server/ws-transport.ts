// The API over WebSocket: JSON calls in, replies and pushed events out, for pages served from this same origin that
// present this launch's token (api-auth.ts).
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_PROTOCOL } from '../common/api-token';
import { WS_PATH } from '../common/contract';
import type { WireFromServer } from '../common/wire';
import { dispatch, type EventHub, type Handlers } from '../services/api-dispatch';
import { authorizeUpgrade, type Refusal } from './api-auth';

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const REFUSAL_STATUS: Record<Refusal, string> = { path: '404 Not Found', origin: '403 Forbidden', token: '401 Unauthorized' };

export interface WsAccess {
  origins(): Set<string>;
  token: string;
  /** Called once per refused handshake, with why. */
  onRefused(refusal: Refusal): void;
}

function send(socket: WebSocket, message: WireFromServer): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

async function handleMessage(socket: WebSocket, handlers: Handlers, data: string): Promise<void> {
  let message: { kind?: unknown; id?: unknown; method?: unknown; input?: unknown };
  try {
    message = JSON.parse(data);
  } catch {
    socket.close(1003, 'messages must be JSON');
    return;
  }
  if (message?.kind !== 'call' || typeof message.id !== 'number') {
    socket.close(1003, 'expected {kind:"call", id:number, method, input}');
    return;
  }
  const outcome = await dispatch(handlers, message.method, message.input);
  send(socket, outcome.ok
    ? { kind: 'reply', id: message.id, ok: true, value: outcome.value }
    : { kind: 'reply', id: message.id, ok: false, error: outcome.error });
}

export function attachWebSocketApi(server: Server, handlers: Handlers, hub: EventHub, access: WsAccess): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (offered) => (offered.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    const decision = authorizeUpgrade(req, WS_PATH, access.origins(), access.token);
    if (!decision.ok) {
      access.onRefused(decision.refusal!);
      socket.write(`HTTP/1.1 ${REFUSAL_STATUS[decision.refusal!]}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = hub.subscribe((event, payload) => send(ws, { kind: 'event', event, payload }));
    ws.on('message', (raw) => {
      void handleMessage(ws, handlers, raw.toString()).catch(() => ws.close(1011, 'internal error'));
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  });
  return wss;
}
