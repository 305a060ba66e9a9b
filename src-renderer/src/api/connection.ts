// The transport-neutral shape every api client has: the contract's ApiClient plus a connection state people can see.
import type { ApiClient } from '../../../src-main/common/contract';
import { ApiError } from '../../../src-main/common/errors';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';
export type TransportKind = 'electron' | 'websocket' | 'none' | 'test';

export interface ConnectionState {
  status: ConnectionStatus;
  transport: TransportKind;
  /** Why we are not connected, in words a person can read (null when connected). */
  detail: string | null;
  /** When the next reconnect attempt happens (ms since epoch), or null when none is planned. */
  retryAt: number | null;
}

/** An ApiClient that also says whether it is connected and can be told to reconnect or shut down. */
export interface ApiTransport extends ApiClient {
  readonly kind: TransportKind;
  connection(): ConnectionState;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Tries to connect now instead of waiting for the next scheduled attempt. */
  reconnectNow(): void;
  close(): void;
}

/** Wraps a client that is always connected (the Electron bridge, an in-memory or test client). */
export function alwaysConnected(client: ApiClient, kind: TransportKind): ApiTransport {
  const state: ConnectionState = { status: 'connected', transport: kind, detail: null, retryAt: null };
  return {
    kind,
    call: (method, input) => client.call(method, input),
    on: (event, handler) => client.on(event, handler),
    connection: () => state,
    onConnectionChange: () => () => {},
    reconnectNow: () => {},
    close: () => {},
  };
}

/** A client that cannot reach any back end (e.g. the page was opened as a plain file): every call fails plainly. */
export function unreachable(detail: string): ApiTransport {
  const state: ConnectionState = { status: 'disconnected', transport: 'none', detail, retryAt: null };
  return {
    kind: 'none',
    call: () => Promise.reject(new ApiError('unavailable', detail)),
    on: () => () => {},
    connection: () => state,
    onConnectionChange: () => () => {},
    reconnectNow: () => {},
    close: () => {},
  };
}
