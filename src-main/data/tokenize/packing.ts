// Packing: short examples concatenated, in order, into sequences of at most maxSeqLen tokens, with their label masks.
import { IGNORE_INDEX } from '../../models/tokenizer';

export interface TrainingExample {
  inputIds: number[];
  labels: number[];
  /** The 1-based line of the data file the example came from (the first one's, for a packed sequence). */
  sourceLine: number;
  /** For a packed sequence: the lines of all rows in it, in order. */
  sourceLines?: number[];
}

/**
 * Greedy, order-keeping packing: a row goes into the current sequence if it fits, else it starts the next one; rows
 * are never split. The first label of every row after the first in a sequence is set to IGNORE_INDEX, because the
 * shifted loss would otherwise train the previous row's last token to predict it — that token is never trained
 * unpacked either (position 0), so the trained tokens are the same with and without packing.
 *
 * Caveat (cross-contamination): attention is still causal over the whole sequence, so a row sees the rows packed
 * before it, and positions do not restart: the engine's attention has no block-diagonal mask, so packing trades that
 * for fewer padded tokens; turn it off where rows must stay independent.
 */
export function packExamples(examples: TrainingExample[], maxSeqLen: number): TrainingExample[] {
  const packed: TrainingExample[] = [];
  let current: TrainingExample | null = null;
  for (const ex of examples) {
    if (ex.inputIds.length > maxSeqLen) throw new Error(`packExamples: line ${ex.sourceLine} holds ${ex.inputIds.length} tokens, more than maxSeqLen ${maxSeqLen}`);
    if (current && current.inputIds.length + ex.inputIds.length <= maxSeqLen) {
      const start = current.labels.length;
      // A loop, not push(...ids): spreading a long row would hit the engine's argument-count limit.
      for (let i = 0; i < ex.inputIds.length; i++) {
        current.inputIds.push(ex.inputIds[i]);
        current.labels.push(ex.labels[i]);
      }
      current.labels[start] = IGNORE_INDEX;
      current.sourceLines!.push(ex.sourceLine);
      continue;
    }
    current = { inputIds: [...ex.inputIds], labels: [...ex.labels], sourceLine: ex.sourceLine, sourceLines: [ex.sourceLine] };
    packed.push(current);
  }
  return packed;
}
