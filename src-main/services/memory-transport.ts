// In-memory transport: an ApiClient wired straight to the handlers, with a JSON round trip like a real wire.
import { ApiError } from '../common/errors';
import type { ApiClient, EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../common/contract';
import { dispatch, type EventHub, type Handlers } from './api-dispatch';

const roundTrip = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

export function createMemoryClient(handlers: Handlers, hub: EventHub): ApiClient {
  return {
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const outcome = await dispatch(handlers, method, roundTrip(input));
      if (!outcome.ok) throw ApiError.from(outcome.error);
      return roundTrip(outcome.value) as MethodOutput<M>;
    },
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
      return hub.subscribe((name, payload) => {
        if (name === event) handler(roundTrip(payload) as EventPayload<E>);
      });
    },
  };
}
