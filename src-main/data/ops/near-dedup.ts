// Near dedup with MinHash-LSH: removes a record whose shingle set is within a Jaccard threshold of an earlier kept one.
import { z } from 'zod';
import { optimalLshParams } from '../dedup/lsh-params';
import { LshIndex } from '../dedup/lsh-index';
import { MinHasher } from '../dedup/minhash';
import { shingleHashes } from '../dedup/shingles';
import type { Conversation } from '../formats/conversation';
import { defineOperator, KEEP } from './operator';
import { allText, answerText, promptText } from './record-text';

// The defaults are data-juicer's MinHash deduplicator's (5-word shingles, Jaccard 0.7, 256 permutations): they catch
// near-verbatim copies, about ≤ 3% of words changed. One edited word breaks up to n shingles, so Jaccard falls fast:
// on tests/bench/data-dedup.bench.ts's records, 5-word shingles give ≈ 0.58 at 5–7.5% of words edited, 0.41 at
// 10–12.5%, 0.35 at 12.5–15%; 2-word shingles give 0.82, 0.70, 0.66. So to catch lightly reworded copies use ngram 2
// with threshold 0.5 (recall 0.95 there) — at the cost of also merging templated records that share most wording,
// which is why it is not the default: losing distinct examples silently is worse than keeping a few near copies.
const params = z.object({
  threshold: z.number().gt(0).max(1).default(0.7),
  numPerm: z.number().int().min(16).max(1024).default(256),
  ngram: z.number().int().min(1).max(32).default(5),
  scope: z.enum(['prompt', 'answer', 'prompt_answer']).default('prompt_answer'),
  seed: z.number().int().default(1),
});

const TEXT_OF: Record<'prompt' | 'answer' | 'prompt_answer', (r: Conversation) => string> = {
  prompt: promptText,
  answer: answerText,
  prompt_answer: allText,
};

// Kept signatures, 16 low bits per value in chunks (b-bit MinHash): half the memory of int32, and two different
// minima agree on 16 bits with probability 2^-16, a bias far below the estimate's own noise (±0.03 at 256 perms).
const CHUNK = 4096;

export const nearDedupOperator = defineOperator({
  name: 'near_dedup',
  title: 'Remove near duplicates',
  description:
    'Finds records whose word n-grams overlap an earlier record\'s beyond a Jaccard threshold (MinHash-LSH, as in ' +
    'data-juicer and text-dedup) and keeps only the first. The defaults catch near-verbatim copies; lower ngram and ' +
    'threshold (e.g. 2 and 0.5) to also catch copies with 10–15% of the words changed.',
  group: 'dedup',
  params,
  create({ threshold, numPerm, ngram, scope, seed }) {
    const hasher = new MinHasher(numPerm, seed);
    const { bands, rows } = optimalLshParams(threshold, numPerm);
    const index = new LshIndex(bands, rows);
    const textOf = TEXT_OF[scope];
    const chunks: Uint16Array[] = [];
    const keptIdx: number[] = [];
    const sig = new Int32Array(numPerm);

    const estimate = (id: number): number => {
      const chunk = chunks[Math.floor(id / CHUNK)];
      const base = (id % CHUNK) * numPerm;
      let same = 0;
      for (let i = 0; i < numPerm; i++) if ((sig[i] & 0xffff) === chunk[base + i]) same++;
      return same / numPerm;
    };

    return (record) => {
      hasher.signature(shingleHashes(textOf(record), ngram), sig);
      const keys = index.keys(sig);
      let best = -1;
      let bestJ = 0;
      for (const id of index.candidates(keys)) {
        const j = estimate(id);
        if (j >= threshold && j > bestJ) [best, bestJ] = [id, j];
      }
      if (best >= 0) {
        const kept = keptIdx[best];
        return { action: 'remove', reason: `near duplicate of record #${kept} (estimated Jaccard ${bestJ.toFixed(2)})`, duplicateOf: kept };
      }
      const id = keptIdx.length;
      if (id % CHUNK === 0) chunks.push(new Uint16Array(CHUNK * numPerm));
      const chunk = chunks[chunks.length - 1];
      const base = (id % CHUNK) * numPerm;
      for (let i = 0; i < numPerm; i++) chunk[base + i] = sig[i] & 0xffff;
      keptIdx.push(record.idx);
      index.insert(id, keys);
      return KEEP;
    };
  },
});
