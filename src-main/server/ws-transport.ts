// The API over WebSocket: JSON calls in, replies and pushed events out, for pages served from this same origin only.
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH } from '../common/contract';
import type { WireFromServer } from '../common/wire';
import { dispatch, type EventHub, type Handlers } from '../services/api-dispatch';

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** A page from any other site could otherwise script this local API (and a rebinding DNS name could too). */
export function isAllowedOrigin(req: IncomingMessage, allowedOrigins: Set<string>): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!host || !allowedOrigins.has(`http://${host}`)) return false;
  return origin === undefined ? false : allowedOrigins.has(origin);
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

export function attachWebSocketApi(server: Server, handlers: Handlers, hub: EventHub, allowedOrigins: () => Set<string>): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH || !isAllowedOrigin(req, allowedOrigins())) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
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
