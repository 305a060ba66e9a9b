// Decontamination: removes training records that share a word 13-gram with an evaluation dataset, so the eval score
// measures generalisation rather than memorised test items.
import { z } from 'zod';
import { hash53 } from '../dedup/hash';
import { tokens } from '../dedup/shingles';
import type { Conversation } from '../formats/conversation';
import { defineOperator, KEEP } from './operator';
import { allText, answerText, promptText } from './record-text';

// n = 13 is the overlap unit of the GPT-3 and Llama contamination studies: long enough that common phrases never
// match, short enough to catch a test question pasted into a longer prompt.
const params = z.object({
  evalDataset: z.string().default(''),
  n: z.number().int().min(3).max(64).default(13),
  field: z.enum(['prompt', 'answer', 'prompt_answer']).default('prompt_answer'),
});

const TEXT_OF: Record<'prompt' | 'answer' | 'prompt_answer', (r: Conversation) => string> = {
  prompt: promptText,
  answer: answerText,
  prompt_answer: allText,
};

/** The n-grams of TOKS as 53-bit hashes of their space-joined words (texts shorter than N have none). */
function* ngramKeys(toks: readonly string[], n: number): Generator<[number, number]> {
  for (let i = 0; i + n <= toks.length; i++) yield [hash53(toks.slice(i, i + n).join(' ')), i];
}

export const decontaminateOperator = defineOperator({
  name: 'decontaminate',
  title: 'Remove eval-set overlap',
  description:
    'Removes training records that share any 13-word sequence (lowercased; CJK and Thai count characters as words) ' +
    'with a chosen evaluation dataset, so the eval set stays unseen.',
  group: 'dedup',
  params,
  needs: ['openDataset'],
  async create({ evalDataset, n, field }, ctx) {
    if (!evalDataset) throw new Error('decontaminate: choose the eval dataset to compare against');
    if (!ctx.openDataset) throw new Error('decontaminate: needs access to other datasets (openDataset) to read the eval set');
    const textOf = TEXT_OF[field];
    // 53-bit keys: with a million eval n-grams, a training n-gram collides by chance with probability ~1e-10, where a
    // 32-bit hash would remove a few percent of clean records.
    const evalIdxOf = new Map<number, number>();
    for await (const record of await ctx.openDataset(evalDataset)) {
      for (const [key] of ngramKeys(tokens(textOf(record)), n)) if (!evalIdxOf.has(key)) evalIdxOf.set(key, record.idx);
    }
    return (record) => {
      const toks = tokens(textOf(record));
      for (const [key, at] of ngramKeys(toks, n)) {
        const evalIdx = evalIdxOf.get(key);
        if (evalIdx === undefined) continue;
        const quote = toks.slice(at, at + Math.min(n, 8)).join(' ');
        return { action: 'remove', reason: `shares the ${n}-gram "${quote}${n > 8 ? ' …' : ''}" with eval record #${evalIdx} of ${evalDataset}` };
      }
      return KEEP;
    };
  },
});
