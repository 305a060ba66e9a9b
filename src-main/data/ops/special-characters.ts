// special_characters: removes records whose text is mostly symbols: characters that are neither letters, digits
// (of any script) nor whitespace.
import { z } from 'zod';
import { defineOperator, KEEP, type Decision } from './operator';
import { proseOnly } from './code-fences';
import { codePointCount, FIELD_LABEL, fieldText, percent, TextField } from './text-units';

const params = z.object({
  field: TextField.default('all'),
  /** data-juicer's special_characters_filter default maximum. */
  maxRatio: z.number().min(0).max(1).default(0.25),
  /** Code is legitimately symbol-heavy, so fenced code blocks are left out of the count by default. */
  skipCode: z.boolean().default(true),
}).strict();

// Combining marks (\p{M}) belong to their letter: Devanagari vowel signs or Arabic harakat are writing, not symbols.
// The emoji presentation selectors and the keycap mark are marks too, but they are part of an emoji, and emoji
// count as special (one per code point, so a ZWJ family counts as the several characters it is made of).
const SPECIAL = /[^\p{L}\p{N}\p{M}\s]|[\uFE0E\uFE0F\u20E3]/gu;

/** Special characters over all characters (code points) of TEXT; 0 for empty text. */
export function specialRatio(text: string): number {
  const total = codePointCount(text);
  if (total === 0) return 0;
  let special = 0;
  const re = new RegExp(SPECIAL.source, SPECIAL.flags);
  while (re.exec(text) !== null) special++;
  return special / total;
}

export const specialCharactersOperator = defineOperator({
  name: 'special_characters',
  title: 'Special characters',
  description:
    'Removes records in which symbols, punctuation and emoji make up too much of the text: typical of ' +
    'scraping debris, encoding garbage and ASCII art. Letters and digits of every script count as text.',
  group: 'filter',
  params,
  create(p) {
    const label = FIELD_LABEL[p.field];
    return (record): Decision => {
      const full = fieldText(record, p.field);
      const text = p.skipCode ? proseOnly(full) : full;
      const ratio = specialRatio(text);
      if (ratio <= p.maxRatio) return KEEP;
      const where = text !== full ? ' outside code blocks' : '';
      return {
        action: 'remove',
        reason: `special characters are ${percent(ratio)} of the ${label}${where} (max ${percent(p.maxRatio)})`,
      };
    };
  },
});
