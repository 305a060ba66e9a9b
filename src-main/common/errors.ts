// Typed errors that cross the API boundary: a code the UI can branch on and a message a person can read.

export type ApiErrorCode =
  | 'invalid-input' // the input failed its schema: `details` lists each issue with its path
  | 'unknown-method'
  | 'not-found'
  | 'conflict'
  | 'store-problem' // the database file is corrupt or from a newer version: offer to move it aside
  | 'unavailable' // a capability this machine or build does not have
  | 'cancelled' // the person stopped a long operation; nothing of it was kept
  | 'internal';

export interface ApiErrorShape {
  code: ApiErrorCode;
  message: string;
  details?: unknown;
}

export class ApiError extends Error implements ApiErrorShape {
  readonly code: ApiErrorCode;
  readonly details?: unknown;

  constructor(code: ApiErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, details: this.details };
  }

  static from(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, shape.details);
  }
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorShape).code === 'string'
    && typeof (value as ApiErrorShape).message === 'string';
}
