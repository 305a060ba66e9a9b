// Exact dedup: removes a record whose prompt (or prompt + answer) equals an earlier one's after normalisation.
import { z } from 'zod';
import { fmix32 } from '../dedup/hash';
import { KeyTable } from '../dedup/key-table';
import { feedNormalized, feedSeparator, newKeyLanes } from '../dedup/normalize-key';
import { defineOperator, KEEP } from './operator';
import { answerText, promptText } from './record-text';

const params = z.object({
  /** `prompt`: the same question asked twice is a duplicate whatever the answers; `prompt_answer`: both must match. */
  scope: z.enum(['prompt', 'prompt_answer']).default('prompt'),
});

export const exactDedupOperator = defineOperator({
  name: 'exact_dedup',
  title: 'Remove exact duplicates',
  description:
    'Keeps the first of records whose prompt (or prompt and answer) is identical after Unicode normalisation, ' +
    'lowercasing and whitespace collapsing; the others are removed and point at the record they repeat.',
  group: 'dedup',
  params,
  create({ scope }) {
    // The key is a 96-bit hash of the normalised text, never the text itself: ~32 bytes a record, and two different
    // texts are taken as equal only if all 96 bits agree (chance ~n²/2^97: nil for any real dataset).
    const firstOf = new KeyTable();
    const [seed, lanes] = [newKeyLanes(), newKeyLanes()];
    const what = scope === 'prompt' ? 'same prompt' : 'same prompt and answer';

    return (record) => {
      lanes.set(seed);
      feedNormalized(promptText(record), lanes);
      if (scope === 'prompt_answer') {
        feedSeparator(lanes);
        feedNormalized(answerText(record), lanes);
      }
      const kept = firstOf.getOrInsert(fmix32(lanes[0]), fmix32(lanes[1]), fmix32(lanes[2]), record.idx);
      if (kept === undefined) return KEEP;
      return { action: 'remove', reason: `exact duplicate of record #${kept} (${what} after normalisation)`, duplicateOf: kept };
    };
  },
});
