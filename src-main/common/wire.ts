// Message shapes of the WebSocket transport (serve mode): requests, replies and pushed events, as JSON.
import type { ApiErrorShape } from './errors';

export interface WireRequest { kind: 'call'; id: number; method: string; input: unknown }
export type WireReply =
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: ApiErrorShape };
export interface WireEvent { kind: 'event'; event: string; payload: unknown }
export type WireFromServer = WireReply | WireEvent;
