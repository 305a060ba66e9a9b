// Pre-tokenized training rows for the CLI tests here: random ids below 201 (inside the tiny models' vocabulary), every
// token trained.
import { writeFileSync } from 'node:fs';
import { Prng } from '../../../src-main/engine/nn';

export function writeTokenRows(file: string, count: number, seed: number, length = 10): string {
  const rng = new Prng(seed);
  writeFileSync(file, Array.from({ length: count }, () => {
    const ids = Array.from({ length }, () => 1 + (rng.nextU32() % 200));
    return JSON.stringify({ input_ids: ids, labels: ids });
  }).join('\n'));
  return file;
}
