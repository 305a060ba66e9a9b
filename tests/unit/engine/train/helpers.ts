// Shared by the trainer tests: random tokenized examples and their JSONL file.
import { writeFileSync } from 'node:fs';
import { Prng } from '../../../../src-main/engine/nn/prng';
import type { Example } from '../../../../src-main/engine/train/batches';

/** Random rows of varying length (so batches pad), with the first few tokens masked like a prompt. */
export function randomExamples(n: number, vocab: number, seed: number): Example[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => {
    const len = 6 + Math.floor(rng.uniform() * 10);
    const prompt = 1 + Math.floor(rng.uniform() * 4);
    const ids = Array.from({ length: len }, () => Math.floor(rng.uniform() * vocab));
    return { inputIds: ids, labels: ids.map((v, i) => (i < prompt ? -100 : v)) };
  });
}

export function writeExamples(file: string, examples: Example[]): string {
  writeFileSync(file, examples.map((e) => JSON.stringify({ input_ids: e.inputIds, labels: e.labels })).join('\n'));
  return file;
}

