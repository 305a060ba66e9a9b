// Checks pushed events against the contract before any store sees them, and turns error envelopes into ApiError.
import { events, isEventName, type EventName, type EventPayload } from '../../../src-main/common/contract';
import { ApiError, isApiErrorShape, type ApiErrorCode } from '../../../src-main/common/errors';

/** Returns the payload parsed by the event's schema, or null (with a console warning) when it breaks the contract. */
export function checkEventPayload<E extends EventName>(event: E, payload: unknown): EventPayload<E> | null {
  if (!isEventName(event)) return null;
  const parsed = events[event].safeParse(payload);
  if (!parsed.success) {
    console.warn(`[api] dropped a ${event} event that breaks the contract:`, parsed.error.issues);
    return null;
  }
  return parsed.data as EventPayload<E>;
}

/** Turns the error half of a reply envelope into an ApiError, whatever shape it arrived in. */
export function toApiError(error: unknown, method: string): ApiError {
  if (isApiErrorShape(error)) return new ApiError(error.code as ApiErrorCode, error.message, error.details);
  return new ApiError('internal', `${method} failed without a readable error.`, error);
}
