// The CLI's client for a running `serve` on the same data folder: the typed API over its WebSocket, presenting the
// access token from HOME/api-endpoint.json, so CLI commands work while the server holds the database.
import WebSocket from 'ws';
import { tokenProtocols } from '../common/api-token';
import type { ApiClient, EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../common/contract';
import { WS_PATH } from '../common/contract';
import { ApiError, isApiErrorShape } from '../common/errors';
import type { WireFromServer } from '../common/wire';
import type { ApiEndpoint } from '../services/api-endpoint';

export interface RemoteClient extends ApiClient {
  close(): void;
}

/** Connects within `timeoutMs`, or resolves null (the server is not answering: the caller falls back). */
export function connectRemote(endpoint: ApiEndpoint, timeoutMs = 3_000): Promise<RemoteClient | null> {
  const url = `${endpoint.origin.replace(/^http/, 'ws')}${WS_PATH}`;
  const ws = new WebSocket(url, tokenProtocols(endpoint.token), { origin: endpoint.origin });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString()) as WireFromServer;
    if (msg.kind === 'event') {
      for (const h of handlers.get(msg.event) ?? []) h(msg.payload);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(isApiErrorShape(msg.error) ? new ApiError(msg.error.code, msg.error.message, msg.error.details) : new ApiError('internal', `${p.method} failed`));
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.reject(new ApiError('unavailable', `The Finetune Studio server closed the connection before ${p.method} answered.`));
    pending.clear();
  });
  const client: RemoteClient = {
    call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
        ws.send(JSON.stringify({ kind: 'call', id, method, input }));
      });
    },
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
      const set = handlers.get(event) ?? new Set();
      handlers.set(event, set);
      const h = handler as (payload: unknown) => void;
      set.add(h);
      return () => set.delete(h);
    },
    close: () => ws.close(),
  };
  return new Promise((resolve) => {
    const timer = setTimeout(() => { ws.terminate(); resolve(null); }, timeoutMs);
    ws.once('open', () => { clearTimeout(timer); resolve(client); });
    ws.once('error', () => { clearTimeout(timer); resolve(null); });
  });
}
