// Every cleaning operator, in the order the recipe builder lists them (normalise → filter → PII → dedup → scores).
import { z } from 'zod';
import { ApiError } from '../../common/errors';
import type { OperatorInfo } from '../../common/datasets';
import type { Operator } from './operator';
import { normalizeTextOperator } from './normalize-text';
import { stripMarkupOperator } from './strip-markup';
import { removeEmptyTurnsOperator } from './remove-empty-turns';
import { lengthLimitsOperator } from './length-limits';
import { languageFilterOperator } from './language-filter';
import { ngramRepetitionOperator } from './ngram-repetition';
import { specialCharactersOperator } from './special-characters';
import { boilerplatePhrasesOperator } from './boilerplate-phrases';
import { piiRedactOperator } from './pii-redact';
import { exactDedupOperator } from './exact-dedup';
import { nearDedupOperator } from './near-dedup';
import { decontaminateOperator } from './decontaminate';
import { scoreFilterOperator } from './score-filter';

export type { DataRecord, Decision, Operator, OperatorContext, RecordDecider, TokenCounter } from './operator';

export const OPERATORS: readonly Operator[] = [
  normalizeTextOperator, stripMarkupOperator, removeEmptyTurnsOperator, lengthLimitsOperator, languageFilterOperator,
  ngramRepetitionOperator, specialCharactersOperator, boilerplatePhrasesOperator, piiRedactOperator,
  exactDedupOperator, nearDedupOperator, decontaminateOperator, scoreFilterOperator,
] as unknown as readonly Operator[];

export function operatorByName(name: string, where = 'recipe'): Operator {
  const op = OPERATORS.find((o) => o.name === name);
  if (!op) throw new ApiError('invalid-input', `${where}: unknown operator "${name}"; expected one of ${OPERATORS.map((o) => o.name).join(', ')}`);
  return op;
}

/** What the wizard and `ftstudio data ops` show: defaults and a JSON Schema of the parameters. */
export function operatorInfo(op: Operator): OperatorInfo {
  return {
    name: op.name,
    title: op.title,
    description: op.description,
    group: op.group,
    defaults: op.params.parse({}) as Record<string, unknown>,
    schema: z.toJSONSchema(op.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    needs: [...(op.needs ?? [])],
  };
}
