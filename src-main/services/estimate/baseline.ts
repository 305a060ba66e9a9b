// The measured baseline: the base model's answer loss on an eval version, zero-shot and k-shot, one `score` job per shot
// count; the few-shot examples are earlier user/assistant turns the score job does not count (contextTurns). With
// exactMatch the score jobs also generate each answer greedily and score it against the reference (exact_match).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../common/errors';
import type { BaselineParsed, BaselineResult, BaselineRow, BaselineStarted } from '../../common/alternatives';
import type { Job } from '../../common/jobs';
import { seededRandom, shuffleInPlace } from '../../data/mix/plan-mix';
import type { DataRecord } from '../../data/ops/operator';
import type { DatasetsRepo } from '../../store';
import { requireVersion } from '../data/clean-dataset';
import { versionRecords } from '../data/record-codec';
import type { ScoreJobStarter } from '../data/score-version';

export interface BaselineJobs extends ScoreJobStarter {
  get(id: string): Promise<Job | null | undefined>;
}

const META = 'baseline.json';
interface Meta {
  shots: number; evalVersionId: string; examplesFrom: string; exampleIdx: number[]; records: number; adapterDir?: string;
  /** With exactMatch: the first record's idx and reference answer, shown beside what the model generated for it. */
  exactMatch?: { sample: { idx: number; expected: string } };
}

/** The answer exact match compares with: the record's last assistant turn (the score job's generationTask). */
const lastAnswer = (r: DataRecord) => r.messages.filter((m) => m.role === 'assistant').at(-1)?.content ?? '';

/** A record a few-shot prompt can show: an answer to learn from and no tools (which the template cannot render yet). */
const usable = (r: DataRecord) => r.messages.some((m) => m.role === 'assistant') && !r.tools?.length;

/** `n` records of a version, a seeded uniform sample (reservoir: the version is streamed, never held whole). */
async function sample(repo: DatasetsRepo, versionId: string, n: number, random: () => number): Promise<DataRecord[]> {
  const kept: DataRecord[] = [];
  let seen = 0;
  for await (const r of versionRecords(repo, versionId)) {
    if (!usable(r)) continue;
    seen++;
    if (kept.length < n) kept.push(r);
    else {
      const j = Math.floor(random() * seen);
      if (j < n) kept[j] = r;
    }
  }
  return kept;
}

/**
 * The scored record with its first k examples in front (one fixed list for every record and shot count, so the prompts
 * are nested and comparable; an example that is the record itself is skipped). Examples keep their turns, not their system.
 */
export function kShotRecord(record: DataRecord, examples: readonly DataRecord[], k: number, sameVersion: boolean) {
  const shown = examples.filter((e) => !(sameVersion && e.idx === record.idx)).slice(0, k);
  const context = shown.flatMap((e) => e.messages);
  return {
    idx: record.idx, messages: [...context, ...record.messages], contextTurns: context.length,
    ...(record.system !== undefined ? { system: record.system } : {}),
  };
}

export async function startBaseline(repo: DatasetsRepo, jobs: BaselineJobs, runsDir: string, input: BaselineParsed): Promise<BaselineStarted> {
  const evalVersion = await requireVersion(repo, input.evalVersionId);
  const poolVersion = input.trainVersionId ? await requireVersion(repo, input.trainVersionId) : evalVersion;
  const shots = [...new Set(input.shots)].sort((a, b) => a - b);
  const random = seededRandom(input.seed);
  const records = await sample(repo, evalVersion.id, input.limit, random);
  if (!records.length) throw new ApiError('invalid-input', 'The eval version has no records with an assistant answer to score.');
  records.sort((a, b) => a.idx - b.idx);
  const maxK = Math.max(...shots);
  // One spare: when the examples come from the eval version, the record being scored is never its own example.
  const same = poolVersion.id === evalVersion.id;
  const examples = maxK === 0 ? [] : shuffleInPlace(await sample(repo, poolVersion.id, maxK + (same ? 1 : 0), random), random);
  if (examples.length < maxK) throw new ApiError('invalid-input', `${maxK}-shot needs ${maxK} example records; the version has ${examples.length}.`);

  if (input.adapterDir && !existsSync(join(input.adapterDir, 'adapter_config.json'))) {
    throw new ApiError('invalid-input', `${input.adapterDir} is not an adapter folder (no adapter_config.json).`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const started = [];
  for (const k of shots) {
    // mkdtemp's random suffix: two baselines asked for in the same millisecond (the page measures the base model and
    // adapters at once) must not share a folder, whose graph one job deletes when it ends while the other reads it.
    await mkdir(runsDir, { recursive: true });
    const runDir = await mkdtemp(join(runsDir, `baseline-${stamp}-${k}shot${input.adapterDir ? '-adapter' : ''}-`));
    const dataFile = join(runDir, 'records.jsonl');
    writeFileSync(dataFile, records.map((r) => `${JSON.stringify(kShotRecord(r, examples, k, same))}\n`).join(''));
    const meta: Meta = {
      shots: k, evalVersionId: evalVersion.id, examplesFrom: poolVersion.id, exampleIdx: examples.slice(0, k + (same ? 1 : 0)).map((e) => e.idx), records: records.length,
      ...(input.adapterDir ? { adapterDir: input.adapterDir } : {}),
      ...(input.exactMatch ? { exactMatch: { sample: { idx: records[0].idx, expected: lastAnswer(records[0]) } } } : {}),
    };
    writeFileSync(join(runDir, META), JSON.stringify(meta));
    // No versionId: these losses describe prompts, not the records, so they must not become the version's data scores.
    const job = await jobs.start('score', {
      modelDir: input.modelPath, dataFile, ...(input.adapterDir ? { adapterDir: input.adapterDir } : {}),
      ...(input.maxSeqLen ? { maxSeqLen: input.maxSeqLen } : {}), ...(input.threads ? { threads: input.threads } : {}),
      ...(input.exactMatch ? { generate: { maxNewTokens: input.maxNewTokens } } : {}),
    }, { runDir });
    started.push({ shots: k, jobId: job.id });
  }
  return { jobs: started, records: records.length };
}

interface Scores { losses: Map<number, number>; matches: Map<number, number>; generated: Map<number, string>; errors: number }

function readScores(runDir: string): Scores {
  const out: Scores = { losses: new Map(), matches: new Map(), generated: new Map(), errors: 0 };
  const file = join(runDir, 'scores.jsonl');
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as { idx?: number; answer_loss_given_prompt?: number; error?: string; exact_match?: number; generated?: string };
      if (typeof row.error === 'string') out.errors++;
      else if (typeof row.idx === 'number' && typeof row.answer_loss_given_prompt === 'number') {
        out.losses.set(row.idx, row.answer_loss_given_prompt);
        if (typeof row.exact_match === 'number') out.matches.set(row.idx, row.exact_match);
        if (typeof row.generated === 'string') out.generated.set(row.idx, row.generated);
      }
    } catch {
      // the line being written right now
    }
  }
  return out;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * Per shot count: the mean answer loss given the prompt (and the exact-match rate, when measured). Once every job has
 * completed, over the records that every shot count scored (a k-shot prompt may run past the length limit; comparing
 * different records would not be fair).
 */
export async function baselineResult(jobs: BaselineJobs, jobIds: string[]): Promise<BaselineResult> {
  const found: { job: Job; meta: Meta; scores: Scores }[] = [];
  for (const id of jobIds) {
    const job = await jobs.get(id);
    if (!job?.runDir || !existsSync(join(job.runDir, META))) throw new ApiError('not-found', `No baseline job with id ${id}.`);
    const meta = JSON.parse(readFileSync(join(job.runDir, META), 'utf8')) as Meta;
    found.push({ job, meta, scores: readScores(job.runDir) });
  }
  const done = found.every((f) => f.job.state === 'completed');
  const common = done ? [...found[0].scores.losses.keys()].filter((idx) => found.every((f) => f.scores.losses.has(idx))) : null;
  const rows: BaselineRow[] = found.map(({ job, meta, scores }) => {
    const idxs = common ?? [...scores.losses.keys()];
    const losses = idxs.map((idx) => scores.losses.get(idx)!);
    const loss = mean(losses);
    const sample = meta.exactMatch?.sample;
    const generated = sample ? scores.generated.get(sample.idx) : undefined;
    return {
      shots: meta.shots, jobId: job.id, state: job.state, progress: job.progress, loss, ppl: loss == null ? null : Math.exp(loss),
      scored: losses.length, errors: scores.errors, records: meta.records, reason: job.reason, adapter: meta.adapterDir ?? null,
      exactMatch: meta.exactMatch ? mean(idxs.flatMap((idx) => scores.matches.get(idx) ?? [])) : null,
      generatedSample: sample && generated !== undefined ? { idx: sample.idx, generated, expected: sample.expected } : null,
    };
  });
  return { rows: rows.sort((a, b) => a.shots - b.shots || Number(a.adapter !== null) - Number(b.adapter !== null)) };
}
