// Errors about a data file that name the file, the line and the field, so a person can open the file and fix the row.
import { ApiError } from '../../common/errors';

export interface DataErrorDetails { file: string; line?: number; column?: number; field?: string }

/** A problem with the user's data (not with our code): an `invalid-input` ApiError whose message says where. */
export class DataError extends ApiError {
  declare readonly details: DataErrorDetails;

  constructor(message: string, details: DataErrorDetails) {
    super('invalid-input', message, details);
    this.name = 'DataError';
  }

  /** `data.jsonl line 7: <what>` — the prefix every row-level message starts with. */
  static at(file: string, line: number, what: string, extra: Omit<DataErrorDetails, 'file' | 'line'> = {}): DataError {
    return new DataError(`${file} line ${line}: ${what}`, { file, line, ...extra });
  }
}

/**
 * Thrown by the format parsers, which see one row and no file: `field` is the path inside the row
 * (`conversations[2].value`), `problem` finishes the sentence `field "…" …`. The reader adds file and line.
 */
export class FieldError extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`field "${field}" ${problem}`);
    this.name = 'FieldError';
  }
}

/** The JSON type of a value as a person would say it: string, number, boolean, null, array, object, missing. */
export function jsonType(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
