// The tokenized result as JSON Lines ({"input_ids":[…],"labels":[…]} per line), so a run folder keeps what was trained on.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { openDataset } from '../formats';
import type { TrainingExample } from './packing';
import { checkVocabRange } from './vocab-range';

/**
 * Writes one example per line, streaming (backpressure respected), into FILE.partial and renames it at the end, so a
 * crash never leaves a truncated file that looks complete. The output is itself a valid pre-tokenized data file.
 */
export async function writeTokenizedJsonl(file: string, examples: Iterable<Pick<TrainingExample, 'inputIds' | 'labels'>>): Promise<number> {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial, { encoding: 'utf8' });
  let count = 0;
  try {
    for (const ex of examples) {
      const line = `{"input_ids":${JSON.stringify(ex.inputIds)},"labels":${JSON.stringify(ex.labels)}}\n`;
      if (!out.write(line)) await once(out, 'drain');
      count++;
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  }
  await rename(partial, file);
  return count;
}

/**
 * Reads a file written by writeTokenizedJsonl (or any pre-tokenized data file) back, validating every row; with
 * VOCAB_SIZE, ids must also lie in 0 … vocabSize-1.
 */
export async function readTokenizedJsonl(file: string, vocabSize?: number): Promise<TrainingExample[]> {
  const { rows } = await openDataset(file, 'tokens');
  const examples: TrainingExample[] = [];
  for await (const { line, parsed } of rows) {
    if (parsed.kind !== 'tokens') continue; // cannot happen with format 'tokens'; narrows the type
    if (vocabSize !== undefined) checkVocabRange(file, line, parsed, vocabSize, true);
    examples.push({ inputIds: parsed.inputIds, labels: parsed.labels, sourceLine: line });
  }
  return examples;
}
