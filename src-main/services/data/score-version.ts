// Loss-based quality scores (IFD, perplexity) of a version: main writes the records into a run folder and starts a
// `score` job (the engine's forward pass, in its own process); when the job completes, its scores.jsonl is read into
// the store for the score filter. A marker file says a folder's scores were taken in, so a restart never loses them.
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Job } from '../../common/jobs';
import { scoresPath } from '../../engine/jobs/score-file';
import type { DatasetsRepo } from '../../store';
import { requireVersion } from './clean-dataset';
import { versionRecords } from './record-codec';

export const SCORE_NAMES = ['answer_loss_given_prompt', 'answer_loss', 'ifd', 'ppl'] as const;
const INGESTED = 'scores-ingested.json';

export interface ScoreJobStarter {
  start(kind: 'score', params: Record<string, unknown>, options: { runDir: string }): Promise<Job>;
}

/** Writes the version's records as the score job's input and starts the job. */
export async function startScoring(repo: DatasetsRepo, jobs: ScoreJobStarter, runsDir: string,
  input: { versionId: string; modelPath: string; maxSeqLen?: number; threads?: number }): Promise<Job> {
  const version = await requireVersion(repo, input.versionId);
  const runDir = join(runsDir, `score-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(runDir, { recursive: true });
  const dataFile = join(runDir, 'records.jsonl');
  const out = createWriteStream(dataFile);
  for await (const r of versionRecords(repo, version.id)) {
    const line = JSON.stringify({ idx: r.idx, messages: r.messages, ...(r.system !== undefined ? { system: r.system } : {}), ...(r.tools ? { tools: r.tools } : {}) });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return jobs.start('score', {
    modelDir: input.modelPath, dataFile, versionId: version.id,
    ...(input.maxSeqLen ? { maxSeqLen: input.maxSeqLen } : {}), ...(input.threads ? { threads: input.threads } : {}),
  }, { runDir });
}

/** Reads a completed score job's scores.jsonl into the store (once); returns how many records got scores. */
export async function ingestScores(repo: DatasetsRepo, job: Job): Promise<number> {
  if (job.kind !== 'score' || job.state !== 'completed' || !job.runDir) return 0;
  const versionId = typeof job.params.versionId === 'string' ? job.params.versionId : null;
  const file = typeof job.params.outFile === 'string' ? job.params.outFile : scoresPath(job.runDir);
  if (!versionId || !existsSync(file) || existsSync(join(job.runDir, INGESTED))) return 0;
  const rows: { idx: number; name: string; value: number }[] = [];
  let scored = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry.idx !== 'number' || entry.error !== undefined) continue;
    scored += 1;
    for (const name of SCORE_NAMES) {
      const value = entry[name];
      if (typeof value === 'number' && Number.isFinite(value)) rows.push({ idx: entry.idx, name, value });
    }
  }
  await repo.saveScores(versionId, rows);
  writeFileSync(join(job.runDir, INGESTED), JSON.stringify({ versionId, scored, at: new Date().toISOString() }));
  return scored;
}
