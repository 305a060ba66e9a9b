// The canonical conversation of DESIGN §4 and the field readers the format parsers share (they throw FieldError).
import { FieldError, jsonType } from './errors';

export type JsonObject = Record<string, unknown>;

/** Roles inside `messages`; a system prompt is not a message here but the conversation's `system`. */
export type Role = 'user' | 'assistant' | 'tool';
export interface Message { role: Role; content: string }

/** The one schema every chat format is converted to (what the store keeps and the tokenizer renders). */
export interface Conversation {
  messages: Message[];
  system?: string;
  /** Tool (function) definitions as the chat template's `tools` variable expects them: an array of JSON objects. */
  tools?: unknown[];
}

/** What one row of a data file means, whatever its format. */
export type ParsedRow =
  | { kind: 'chat'; conversation: Conversation }
  | { kind: 'text'; text: string }
  | { kind: 'tokens'; inputIds: number[]; labels: number[] };

export type FormatName = 'alpaca' | 'sharegpt' | 'openai' | 'text' | 'tokens';

export interface RowFormat {
  name: FormatName;
  /** Whether the row carries this format's key field(s); cheap, no validation. */
  detect(row: JsonObject): boolean;
  /** Validates and converts the row; throws FieldError naming the first bad field. */
  parse(row: JsonObject): ParsedRow;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new FieldError(field, value === undefined ? 'is missing (expected a string)' : `must be a string, got ${jsonType(value)}`);
  return value;
}

/** Absent, null and "" all mean "none" (datasets exported from tables write empty columns both ways). */
export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return requireString(value, field);
}

export function requireArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new FieldError(field, value === undefined ? 'is missing (expected an array)' : `must be an array, got ${jsonType(value)}`);
  return value;
}

export function requireObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(field, value === undefined ? 'is missing (expected an object)' : `must be an object, got ${jsonType(value)}`);
  }
  return value as JsonObject;
}

/**
 * Tools come as an array of objects or, in LLaMA-Factory's ShareGPT files, as that array serialized into a string.
 * Empty ("", "[]", null) means no tools.
 */
export function optionalTools(value: unknown, field = 'tools'): unknown[] | undefined {
  let tools = value;
  if (typeof tools === 'string') {
    if (tools.trim() === '') return undefined;
    try {
      tools = JSON.parse(tools);
    } catch {
      throw new FieldError(field, 'must be a JSON array of tool definitions, but the string is not valid JSON');
    }
  }
  if (tools === undefined || tools === null) return undefined;
  const list = requireArray(tools, field);
  list.forEach((tool, i) => requireObject(tool, `${field}[${i}]`));
  return list.length > 0 ? list : undefined;
}

/** Puts a leading system turn into `system`; a second source of system prompt, or one later in the talk, is an error. */
export function withSystem(messages: { role: Role | 'system'; content: string }[], systemField: string | undefined, field: string): Conversation {
  let system = systemField;
  const rest = [...messages];
  if (rest[0]?.role === 'system') {
    if (system !== undefined) throw new FieldError(`${field}[0]`, 'is a system turn, but the row also has a "system" field: keep one of them');
    system = rest.shift()!.content;
  }
  const late = rest.findIndex((m) => m.role === 'system');
  if (late >= 0) throw new FieldError(`${field}[${late + (rest.length < messages.length ? 1 : 0)}]`, 'is a system turn: only the first turn may be one');
  if (rest.length === 0) throw new FieldError(field, 'has no user or assistant turns');
  return { messages: rest as Message[], ...(system !== undefined ? { system } : {}) };
}
