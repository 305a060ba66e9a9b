// Turns an operator's JSON Schema into form fields (checkbox, number, select, one-per-line list, text) and back into params.

export type FieldKind = 'boolean' | 'number' | 'integer' | 'enum' | 'string-list' | 'string' | 'json';

export interface ParamField {
  key: string;
  kind: FieldKind;
  label: string;
  description: string | null;
  /** For enums: the allowed values. */
  options: (string | number)[];
  min: number | null;
  max: number | null;
  /** The schema allows null (an emptied box then means null, not an error). */
  nullable: boolean;
  default: unknown;
}

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

const ACRONYMS = new Set(['ip', 'iban', 'url', 'pii', 'id', 'api', 'html', 'spdx', 'utf', 'nfc', 'nfkc']);

/** "max_chars" / "maxChars" → "Max chars"; "ipAddress" → "IP address". */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase().split(/\s+/)
    .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w)).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Unwraps `anyOf/oneOf [X, {type:'null'}]` and `type: [X, 'null']` into X plus a nullable flag. */
function unwrapNullable(schema: Schema): { schema: Schema; nullable: boolean } {
  const variants = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(variants)) {
    const rest = variants.filter((v) => !(isObject(v) && v.type === 'null'));
    if (rest.length === 1 && isObject(rest[0])) {
      return { schema: { ...rest[0], ...pick(schema, ['default', 'description', 'title']) }, nullable: rest.length < variants.length };
    }
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as unknown[]).filter((t) => t !== 'null');
    if (types.length === 1) return { schema: { ...schema, type: types[0] }, nullable: types.length < schema.type.length };
  }
  return { schema, nullable: false };
}

function pick(schema: Schema, keys: string[]): Schema {
  const out: Schema = {};
  for (const k of keys) if (k in schema) out[k] = schema[k];
  return out;
}

/** A limit worth showing: zod writes ±MAX_SAFE_INTEGER for every int(), which says nothing to a person. */
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : null);

function kindOf(s: Schema): FieldKind {
  if (Array.isArray(s.enum)) return 'enum';
  if (s.const !== undefined) return 'enum';
  switch (s.type) {
    case 'boolean': return 'boolean';
    case 'integer': return 'integer';
    case 'number': return 'number';
    case 'string': return 'string';
    case 'array': return isObject(s.items) && s.items.type === 'string' ? 'string-list' : 'json';
    default: return 'json';
  }
}

/** One field per property of an object schema, in the schema's order. */
export function fieldsFromSchema(schema: Schema | null | undefined): ParamField[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  return Object.entries(schema.properties).map(([key, raw]) => {
    const { schema: s, nullable } = unwrapNullable(isObject(raw) ? raw : {});
    const kind = kindOf(s);
    return {
      key,
      kind,
      label: typeof s.title === 'string' ? s.title : humanize(key),
      description: typeof s.description === 'string' ? s.description : null,
      options: kind === 'enum' ? ((Array.isArray(s.enum) ? s.enum : [s.const]) as (string | number)[]) : [],
      min: num(s.minimum) ?? num(s.exclusiveMinimum),
      max: num(s.maximum) ?? num(s.exclusiveMaximum),
      nullable,
      default: s.default,
    };
  });
}

/** The value a field's input shows for a param value. */
export function toInputValue(field: ParamField, value: unknown): string | boolean {
  switch (field.kind) {
    case 'boolean': return value === true;
    case 'string-list': return Array.isArray(value) ? value.map(String).join('\n') : '';
    case 'json': return value === undefined ? '' : JSON.stringify(value);
    default: return value === null || value === undefined ? '' : String(value);
  }
}

/** The param value an input's text (or checkbox) stands for; `undefined` means "leave it to the operator's default". */
export function fromInputValue(field: ParamField, input: string | boolean): { value: unknown; error: string | null } {
  if (field.kind === 'boolean') return { value: input === true, error: null };
  const text = String(input);
  if (text.trim() === '' && field.kind !== 'string' && field.kind !== 'string-list') {
    return { value: field.nullable ? null : undefined, error: null };
  }
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n)) return { value: undefined, error: `${field.label} must be a number.` };
      if (field.kind === 'integer' && !Number.isInteger(n)) return { value: undefined, error: `${field.label} must be a whole number.` };
      if (field.min !== null && n < field.min) return { value: n, error: `${field.label} must be at least ${field.min}.` };
      if (field.max !== null && n > field.max) return { value: n, error: `${field.label} must be at most ${field.max}.` };
      return { value: n, error: null };
    }
    case 'enum': {
      const match = field.options.find((o) => String(o) === text);
      return { value: match ?? text, error: null };
    }
    case 'string-list':
      return { value: text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0), error: null };
    case 'json':
      try {
        return { value: JSON.parse(text), error: null };
      } catch {
        return { value: undefined, error: `${field.label} is not valid JSON.` };
      }
    default:
      return { value: text, error: null };
  }
}
