// A scripted ApiTransport for renderer tests: canned handlers per method, recorded calls, emitted events, connection changes.
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../../src-main/common/contract';
import { ApiError } from '../../../src-main/common/errors';
import type { ApiTransport, ConnectionState } from '../../../src-renderer/src/api';

export type FakeHandlers = { [M in MethodName]?: (input: MethodInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>> };

export interface FakeApi {
  transport: ApiTransport;
  calls: { method: MethodName; input: unknown }[];
  handlers: FakeHandlers;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  setConnection(status: ConnectionState['status']): void;
}

export function createFakeApi(handlers: FakeHandlers = {}): FakeApi {
  const calls: FakeApi['calls'] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = { status: 'connected', transport: 'test', detail: null, retryAt: null };

  const transport: ApiTransport = {
    kind: 'test',
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      calls.push({ method, input });
      const handler = handlers[method] as ((input: MethodInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>>) | undefined;
      if (!handler) throw new ApiError('unknown-method', `fake api has no ${method}`);
      return handler(input);
    },
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(handler as (payload: unknown) => void);
      return () => set.delete(handler as (payload: unknown) => void);
    },
    connection: () => state,
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    reconnectNow: () => {},
    close: () => {},
  };

  return {
    transport,
    calls,
    handlers,
    emit(event, payload) {
      for (const handler of listeners.get(event) ?? []) handler(payload);
    },
    setConnection(status) {
      state = { ...state, status };
      for (const listener of stateListeners) listener(state);
    },
  };
}

/** Lets pending promise callbacks (store actions awaiting the fake) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
