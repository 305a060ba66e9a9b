// Errors opening the database file, typed so the app can offer to move the file aside (never delete it).
export type StoreProblem = 'newer-schema' | 'corrupt';

export class StoreOpenError extends Error {
  constructor(
    readonly problem: StoreProblem,
    readonly path: string,
    message: string,
    readonly foundVersion: number | null = null,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}
