// Pre-tokenized rows `{input_ids, labels?}`: ids checked here; their range against the model's vocabulary at tokenization.
import { FieldError, jsonType } from './errors';
import { requireArray, type JsonObject, type RowFormat } from './conversation';
import { IGNORE_INDEX } from '../../models/tokenizer';

function intList(value: unknown, field: string, allowIgnore: boolean): number[] {
  const list = requireArray(value, field);
  list.forEach((id, i) => {
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw new FieldError(`${field}[${i}]`, `must be an integer token id, got ${typeof id === 'number' ? id : jsonType(id)}`);
    }
    if (id < 0 && !(allowIgnore && id === IGNORE_INDEX)) {
      throw new FieldError(`${field}[${i}]`, `must be a token id ≥ 0${allowIgnore ? ` or ${IGNORE_INDEX} (ignored)` : ''}, got ${id}`);
    }
  });
  return list as number[];
}

export function detect(row: JsonObject): boolean {
  return 'input_ids' in row;
}

/** Labels default to the inputs (every token trained); they are aligned with input_ids and shifted inside the loss. */
export function toTokens(row: JsonObject): { inputIds: number[]; labels: number[] } {
  const inputIds = intList(row.input_ids, 'input_ids', false);
  if (inputIds.length === 0) throw new FieldError('input_ids', 'is empty');
  if (row.labels === undefined || row.labels === null) return { inputIds, labels: [...inputIds] };
  const labels = intList(row.labels, 'labels', true);
  if (labels.length !== inputIds.length) {
    throw new FieldError('labels', `must have as many entries as input_ids (${inputIds.length}), got ${labels.length}`);
  }
  return { inputIds, labels };
}

export const tokensFormat: RowFormat = {
  name: 'tokens',
  detect,
  parse: (row) => ({ kind: 'tokens', ...toTokens(row) }),
};
