// length_limits: removes records whose prompt, answer or whole text is too short or too long, in characters,
// words or tokens.
import { z } from 'zod';
import { defineOperator, KEEP, type Decision } from './operator';
import { codePointCount, countWords, FIELD_LABEL, fieldText, formatCount, TextField } from './text-units';

const limit = z.number().int().min(0).nullable();

const params = z.object({
  field: TextField.default('all'),
  /** data-juicer's text_length_filter default minimum; shorter texts are fragments, not examples. */
  minChars: limit.default(10),
  maxChars: limit.default(null),
  minWords: limit.default(null),
  maxWords: limit.default(null),
  /** Token limits count with the chosen model's tokenizer, so they need one. */
  minTokens: limit.default(null),
  maxTokens: limit.default(null),
}).strict().refine(
  (p) => ordered(p.minChars, p.maxChars) && ordered(p.minWords, p.maxWords) && ordered(p.minTokens, p.maxTokens),
  { message: 'each minimum must be at most its maximum' },
);

function ordered(min: number | null, max: number | null): boolean {
  return min === null || max === null || min <= max;
}

interface Measure { unit: string; min: number | null; max: number | null; count: (text: string) => number }

export const lengthLimitsOperator = defineOperator({
  name: 'length_limits',
  title: 'Length limits',
  description:
    'Removes records whose prompt, answer or whole text is shorter or longer than the limits, counted in ' +
    'characters, words (each Chinese or Japanese character is a word) or tokens of the chosen model.',
  group: 'filter',
  params,
  create(p, ctx) {
    const tokenizer = ctx.tokenizer;
    if ((p.minTokens !== null || p.maxTokens !== null) && !tokenizer) {
      throw new Error("length_limits: a token limit needs a model's tokenizer; choose a model");
    }
    const measures: Measure[] = [
      { unit: 'characters', min: p.minChars, max: p.maxChars, count: codePointCount },
      { unit: 'words', min: p.minWords, max: p.maxWords, count: countWords },
      { unit: 'tokens', min: p.minTokens, max: p.maxTokens, count: (t: string) => tokenizer!.count(t) },
    ].filter((m) => m.min !== null || m.max !== null);
    const label = FIELD_LABEL[p.field];
    return (record): Decision => {
      const text = fieldText(record, p.field);
      for (const m of measures) {
        const n = m.count(text);
        const units = n === 1 ? m.unit.slice(0, -1) : m.unit;
        if (m.min !== null && n < m.min) {
          return { action: 'remove', reason: `${label} has ${formatCount(n)} ${units} (min ${formatCount(m.min)})` };
        }
        if (m.max !== null && n > m.max) {
          return { action: 'remove', reason: `${label} has ${formatCount(n)} ${units} (max ${formatCount(m.max)})` };
        }
      }
      return KEEP;
    };
  },
});
