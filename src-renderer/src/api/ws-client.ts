// The serve-mode transport: the contract as JSON over one WebSocket (wire.ts), with call ids, a queue and reconnect.
import type {
  EventName, EventPayload, MethodInput, MethodName, MethodOutput,
} from '../../../src-main/common/contract';
import { isEventName } from '../../../src-main/common/contract';
import { ApiError } from '../../../src-main/common/errors';
import type { WireFromServer, WireRequest } from '../../../src-main/common/wire';
import type { ConnectionState, ApiTransport } from './connection';
import { checkEventPayload, toApiError } from './events';

/** The part of the browser's WebSocket this client uses, so tests can pass a fake class. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketCtorLike = new (url: string, protocols?: string[]) => WebSocketLike;

export interface WsClientOptions {
  url: string;
  /** Offered in the handshake: serve mode's ['ftstudio', 'ftstudio-token.<key>'] (api-token.ts). */
  protocols?: string[];
  /** Defaults to the browser's WebSocket. */
  WebSocketCtor?: WebSocketCtorLike;
  /** Reconnect delays: the first, the cap, and the growth factor between attempts. */
  reconnect?: { initialMs: number; maxMs: number; factor: number };
  /** How long a call made while disconnected waits for the connection before it fails. */
  queueTimeoutMs?: number;
}

const OPEN = 1;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: ApiError) => void;
  sent: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  request: WireRequest;
}

export function createWsClient(options: WsClientOptions): ApiTransport {
  const Ctor = options.WebSocketCtor ?? (globalThis.WebSocket as unknown as WebSocketCtorLike);
  const backoff = options.reconnect ?? { initialMs: 500, maxMs: 5_000, factor: 2 };
  const queueTimeoutMs = options.queueTimeoutMs ?? 15_000;

  const pending = new Map<number, Pending>();
  const eventHandlers = new Map<EventName, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = { status: 'connecting', transport: 'websocket', detail: null, retryAt: null };
  let socket: WebSocketLike | null = null;
  let nextId = 1;
  let delay = backoff.initialMs;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  function setState(next: Omit<ConnectionState, 'transport'>): void {
    state = { ...next, transport: 'websocket' };
    for (const listener of stateListeners) listener(state);
  }

  function settle(id: number): Pending | undefined {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    return entry;
  }

  function send(entry: Pending): void {
    try {
      socket!.send(JSON.stringify(entry.request));
      entry.sent = true;
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    } catch (err) {
      settle(entry.request.id)?.reject(new ApiError('unavailable', `Could not send ${entry.method}: ${String(err)}`));
    }
  }

  function onMessage(data: unknown): void {
    let message: WireFromServer;
    try {
      message = JSON.parse(String(data)) as WireFromServer;
    } catch {
      console.warn('[api] ignored a message that is not JSON');
      return;
    }
    if (message.kind === 'reply') {
      const entry = settle(message.id);
      if (!entry) return; // a reply to a call we already gave up on
      if (message.ok) entry.resolve(message.value);
      else entry.reject(toApiError(message.error, entry.method));
    } else if (message.kind === 'event' && isEventName(message.event)) {
      const handlers = eventHandlers.get(message.event);
      if (!handlers?.size) return;
      const payload = checkEventPayload(message.event, message.payload);
      if (payload === null) return;
      for (const handler of handlers) handler(payload);
    }
  }

  function onLost(why: string): void {
    socket = null;
    // Calls already sent will never be answered on a new socket: fail them now, plainly.
    for (const [id, entry] of pending) {
      if (!entry.sent) continue;
      settle(id);
      entry.reject(new ApiError('unavailable', `The connection was lost before ${entry.method} answered (${why}).`));
    }
    if (closed) return;
    const retryAt = Date.now() + delay;
    setState({ status: 'disconnected', detail: why, retryAt });
    retryTimer = setTimeout(connect, delay);
    delay = Math.min(backoff.maxMs, delay * backoff.factor);
  }

  function connect(): void {
    if (closed) return;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    setState({ status: 'connecting', detail: state.detail, retryAt: null });
    let ws: WebSocketLike;
    try {
      ws = options.protocols ? new Ctor(options.url, options.protocols) : new Ctor(options.url);
    } catch (err) {
      onLost(`Cannot open ${options.url}: ${String(err)}`);
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      delay = backoff.initialMs;
      setState({ status: 'connected', detail: null, retryAt: null });
      for (const entry of [...pending.values()]) if (!entry.sent) send(entry);
    };
    ws.onmessage = (ev) => {
      if (socket === ws) onMessage(ev.data);
    };
    ws.onerror = () => {}; // onclose always follows and carries what we can tell
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      const code = ev?.code ? ` (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})` : '';
      onLost(`The Finetune Studio server is not reachable${code}.`);
    };
  }

  function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    if (closed) return Promise.reject(new ApiError('unavailable', 'The connection was closed.'));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const entry: Pending = {
        method, sent: false, timer: null,
        request: { kind: 'call', id, method, input },
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      pending.set(id, entry);
      if (socket && socket.readyState === OPEN && state.status === 'connected') {
        send(entry);
      } else {
        entry.timer = setTimeout(() => {
          settle(id)?.reject(new ApiError('unavailable', `Not connected to the Finetune Studio server, so ${method} could not be sent.`));
        }, queueTimeoutMs);
      }
    });
  }

  function on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
    let set = eventHandlers.get(event);
    if (!set) eventHandlers.set(event, (set = new Set()));
    const h = handler as (payload: unknown) => void;
    set.add(h);
    return () => set.delete(h);
  }

  connect();

  return {
    kind: 'websocket',
    call,
    on,
    connection: () => state,
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    reconnectNow() {
      if (state.status === 'disconnected') {
        delay = backoff.initialMs;
        connect();
      }
    },
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'client closed');
      for (const id of [...pending.keys()]) settle(id)?.reject(new ApiError('unavailable', 'The connection was closed.'));
      setState({ status: 'disconnected', detail: 'closed', retryAt: null });
    },
  };
}
