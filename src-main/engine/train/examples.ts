// Reads the tokenized training data main wrote into the run folder: one {"input_ids": […], "labels": […]} per line.
import { readFileSync } from 'node:fs';
import type { Example } from './batches';

/** The file was validated by main when it was written; a broken line still gets an error naming it. */
export function readTokenizedExamples(file: string): Example[] {
  const out: Example[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: { input_ids?: unknown; labels?: unknown };
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file} line ${i + 1}: not valid JSON (${(err as Error).message}).`, { cause: err });
    }
    const ids = row.input_ids;
    const labels = row.labels ?? ids;
    if (!Array.isArray(ids) || !Array.isArray(labels) || ids.length !== labels.length || ids.length < 2) {
      throw new Error(`${file} line ${i + 1}: expected "input_ids" and "labels" of equal length ≥ 2.`);
    }
    out.push({ inputIds: ids as number[], labels: labels as number[] });
  });
  if (!out.length) throw new Error(`${file} has no examples.`);
  return out;
}
