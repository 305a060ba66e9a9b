// The renderer's only door to the back end: picks the transport once at start and hands the client to the stores.
import { WS_PATH, type EventName, type EventPayload, type MethodInput, type MethodName, type MethodOutput, type PreloadBridge } from '../../../src-main/common/contract';
import { createBridgeClient } from './bridge-client';
import { unreachable, type ApiTransport, type ConnectionState } from './connection';
import { createWsClient, type WebSocketCtorLike } from './ws-client';
import { takeServeToken, type TokenHost } from './serve-token';
import { tokenProtocols } from '../../../src-main/common/api-token';

export type { ApiTransport, ConnectionState, ConnectionStatus, TransportKind } from './connection';
export { alwaysConnected } from './connection';
export { createBridgeClient } from './bridge-client';
export { createWsClient } from './ws-client';

/** What the transport choice looks at: the page's window, or a stand-in for it in tests. */
export interface HostLike extends TokenHost {
  ftstudio?: PreloadBridge;
  location: { protocol: string; host: string; search?: string; href?: string };
}

/** The WebSocket address of serve mode for a page served from `location` (ws: for http:, wss: for https:). */
export function wsUrlFor(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
}

/** Electron's preload bridge when it exists, else the serve-mode WebSocket of the host the page came from. */
export function pickTransport(host: HostLike, WebSocketCtor?: WebSocketCtorLike): ApiTransport {
  if (host.ftstudio) return createBridgeClient(host.ftstudio);
  if (!host.location.host || !/^https?:$/.test(host.location.protocol)) {
    return unreachable('This page was opened without the app or its server. Start it with `npm start` or `npm run serve`.');
  }
  const token = takeServeToken(host);
  if (token === null) {
    return unreachable('This page was opened without its access key. Open the full address that “ftstudio serve” printed (it ends in ?token=…).');
  }
  return createWsClient({ url: wsUrlFor(host.location), protocols: tokenProtocols(token), WebSocketCtor });
}

let current: ApiTransport | null = null;

/** Installs the transport every store uses (main.ts at start; tests with a fake). Closes the previous one. */
export function installApi(transport: ApiTransport): ApiTransport {
  if (current && current !== transport) current.close();
  current = transport;
  return transport;
}

function transport(): ApiTransport {
  if (!current) throw new Error('installApi() was not called before the first API call.');
  return current;
}

/** The typed API, as the stores see it. */
export const api = {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    return transport().call(method, input);
  },
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
    return transport().on(event, handler);
  },
  connection(): ConnectionState {
    return transport().connection();
  },
  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    return transport().onConnectionChange(listener);
  },
  reconnectNow(): void {
    transport().reconnectNow();
  },
};
