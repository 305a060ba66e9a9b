// Filter on a score column: keeps records whose score lies in [min, max]. Scores come from the loss-based scorer
// (ifd, ppl, answer_loss, answer_loss_given_prompt — `ftstudio data score`) or any other score stored for the version.
import { z } from 'zod';
import { defineOperator, KEEP } from './operator';

const params = z.object({
  /** The score's name, e.g. "ifd" (instruction-following difficulty) or "ppl" (perplexity of the answer). */
  score: z.string().min(1).default('ifd'),
  min: z.number().nullable().default(null),
  max: z.number().nullable().default(null),
  /** What to do with a record that has no such score (not scored yet, or too long to score). */
  missing: z.enum(['keep', 'remove']).default('keep'),
}).strict();

export const scoreFilterOperator = defineOperator({
  name: 'score_filter',
  title: 'Filter on a score',
  description:
    'Keeps records whose score lies between min and max. With IFD (loss of the answer given the prompt over the loss ' +
    'of the answer alone), values near or above 1 mean the prompt does not help — often misaligned pairs; very low ' +
    'values mean the answer is easy. Score a version first (Analyse → quality scores, or `ftstudio data score`).',
  group: 'score',
  params,
  create({ score, min, max, missing }) {
    if (min === null && max === null) throw new Error('score_filter: set min, max or both');
    if (min !== null && max !== null && min > max) throw new Error(`score_filter: min ${min} is above max ${max}`);
    const range = `${min ?? '−∞'} … ${max ?? '∞'}`;
    return (record) => {
      const value = record.scores?.[score];
      if (value === undefined || !Number.isFinite(value)) {
        return missing === 'keep' ? KEEP : { action: 'remove', reason: `no ${score} score (missing is set to remove)` };
      }
      if ((min !== null && value < min) || (max !== null && value > max)) {
        return { action: 'remove', reason: `${score} ${value.toPrecision(4)} is outside ${range}` };
      }
      return KEEP;
    };
  },
});
