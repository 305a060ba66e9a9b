// Token ids must index the model's embedding: 0 ≤ id < vocabSize, for inputs and (unmasked) labels alike.
import { DataError } from '../formats';
import { IGNORE_INDEX, type TokenizedExample } from '../../models/tokenizer';

/**
 * Throws a DataError naming the line, the field, the id and the vocabulary size. PRE_TOKENIZED says whether the ids
 * came from the file (the file is wrong) or from our tokenizer (the tokenizer does not belong to the model).
 */
export function checkVocabRange(file: string, line: number, ex: TokenizedExample, vocabSize: number, preTokenized: boolean): void {
  for (const [field, ids] of [['input_ids', ex.inputIds], ['labels', ex.labels]] as const) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === IGNORE_INDEX && field === 'labels') continue;
      if (id >= 0 && id < vocabSize) continue;
      const where = preTokenized ? `field "${field}[${i}]" holds token id ${id}` : `the tokenizer produced token id ${id}`;
      const why = preTokenized ? '' : ': the tokenizer does not belong to this model';
      throw DataError.at(file, line, `${where}, outside the model's vocabulary of ${vocabSize} tokens (ids 0…${vocabSize - 1})${why}`, preTokenized ? { field: `${field}[${i}]` } : {});
    }
  }
}
