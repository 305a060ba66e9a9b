// The Electron transport: calls the preload's `window.ftstudio` functions and unwraps their {ok, value|error} envelopes.
import type {
  CallResult, EventName, EventPayload, MethodInput, MethodName, MethodOutput, PreloadBridge,
} from '../../../src-main/common/contract';
import { alwaysConnected, type ApiTransport } from './connection';
import { checkEventPayload, toApiError } from './events';

export function createBridgeClient(bridge: PreloadBridge): ApiTransport {
  return alwaysConnected({
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const fn = bridge[method] as unknown as ((input: unknown) => Promise<CallResult<unknown>>) | undefined;
      if (typeof fn !== 'function') throw toApiError({ code: 'unknown-method', message: `The app does not offer ${method}.` }, method);
      const result = await fn(input);
      if (!result.ok) throw toApiError(result.error, method);
      return result.value as MethodOutput<M>;
    },
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
      return bridge.onEvent(event, (payload) => {
        const checked = checkEventPayload(event, payload);
        if (checked !== null) handler(checked);
      });
    },
  }, 'electron');
}
