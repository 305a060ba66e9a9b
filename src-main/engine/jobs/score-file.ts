// The score job's output file (scores.jsonl): its lines, its place in the run folder, and what a resume finds in it.
// Kept apart from score.ts so main can read it (canResume) without loading the tokenizer or onnxruntime.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCORES_FILE = 'scores.jsonl';
export const scoresPath = (runDir: string): string => join(runDir, SCORES_FILE);

/** One scored record. ifd = answer_loss_given_prompt / answer_loss; ppl = exp(answer_loss_given_prompt). */
export interface ScoreLine {
  idx: number;
  answer_loss_given_prompt: number;
  answer_loss: number;
  ifd: number;
  ppl: number;
  tokens: number; // answer tokens the conditioned loss counts
  /** With ScoreParams.generate: the last answer generated greedily from the turns before it, decoded (see generationTask). */
  generated?: string;
  /** With ScoreParams.generate: 1 when `generated` equals the reference answer once SQuAD-normalised, else 0. */
  exact_match?: 0 | 1;
}

/** A record that could not be scored, and why (too long, no answer tokens, unrenderable). */
export interface ScoreErrorLine { idx: number; error: string }

export interface WrittenScores { scored: Set<number>; errors: Set<number> }

/**
 * The idx already written to `path` (scored or failed: both are final, scoring is deterministic). A torn last line
 * from a crash mid-write is dropped, atomically, so the next append starts on a line of its own.
 */
export function readWrittenScores(path: string): WrittenScores {
  const out: WrittenScores = { scored: new Set(), errors: new Set() };
  if (!existsSync(path)) return out;
  const text = readFileSync(path, 'utf8');
  const kept: string[] = [];
  let dropped = false;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as Partial<ScoreLine & ScoreErrorLine>;
      if (typeof row.idx !== 'number') throw new Error('no idx');
      (typeof row.error === 'string' ? out.errors : out.scored).add(row.idx);
      kept.push(line);
    } catch {
      dropped = true;
    }
  }
  if (dropped || (text !== '' && !text.endsWith('\n'))) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, kept.map((l) => `${l}\n`).join(''));
    renameSync(tmp, path);
  }
  return out;
}
