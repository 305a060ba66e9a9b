// Validates and routes one API call to its handler; every transport (IPC, WebSocket, in-memory) goes through here.
import { z } from 'zod';
import { ApiError, type ApiErrorShape } from '../common/errors';
import {
  events, isMethodName, methods,
  type EventName, type EventPayload, type MethodName, type MethodOutput, type MethodParsedInput,
} from '../common/contract';

export type Handlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

/** Formats schema issues as "path: message" lines a person can act on. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`);
}

export async function dispatch(handlers: Handlers, method: unknown, rawInput: unknown): Promise<CallOutcome> {
  if (!isMethodName(method)) {
    return { ok: false, error: new ApiError('unknown-method', `Unknown API method ${JSON.stringify(method)}.`).toJSON() };
  }
  const spec = methods[method];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return { ok: false, error: new ApiError('invalid-input', `Invalid input for ${method}: ${issues.join('; ')}`, { issues }).toJSON() };
  }
  try {
    const handler = handlers[method] as (input: unknown) => unknown;
    const value = await handler(parsed.data);
    // Checking the output too keeps the services honest to the contract the renderer relies on.
    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      throw new Error(`${method} returned a value that breaks the contract: ${describeIssues(checked.error).join('; ')}`);
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: err.toJSON() };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: new ApiError('internal', message).toJSON() };
  }
}

type Listener = (event: EventName, payload: unknown) => void;

/** Fans events out to every connected front end. Payloads are checked against the contract before they leave. */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload);
    for (const listener of this.listeners) {
      try {
        listener(event, checked);
      } catch {
        // One broken front end (a closed socket) must not stop the others.
      }
    }
  }
}
