// The 'score' engine job: loss-based data-quality scores per record under the base model (or the model with an adapter,
// adapterDir). IFD is "From Quantity to Quality" (Li et al. 2023): the answer's mean loss given its prompt over its mean
// loss alone. With `generate`, each record's last answer is also generated greedily and scored by exact match.
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ScoreParams } from '../../common/jobs';
import type { ModelSpec } from '../../common/model-spec';
import { readModelConfig } from '../../models/hf/config';
import { TextTokenizer } from '../../models/tokenizer';
import { buildEvalGraph } from '../nn';
import { EngineSession, type Feed } from '../runtime';
import { adapterFeeds, loadEvalAdapter, type EvalAdapter } from '../train/eval-adapter';
import type { Example } from '../train/batches';
import { evaluateOnSession } from '../train/evaluate';
import { greedyDecode, openNextTokenSession } from '../train/generate';
import { resolveWeightRefs } from '../train/weights';
import { exactMatch } from './answer-normalize';
import { appendJsonl } from './run-folder';
import { encodeScorePair, generationTask, RecordError, ScoreRecord } from './score-encode';
import { readWrittenScores, scoresPath, type ScoreErrorLine, type ScoreLine } from './score-file';
import type { EngineJob, JobContext, JobOutcome } from './types';

/** Training's default (services/train's DEFAULT_MAX_SEQ_LEN), repeated because the engine cannot import services. */
export const SCORE_DEFAULT_MAX_SEQ_LEN = 1024;
/** Progress is throttled: a small model scores hundreds of records a second, and each event crosses two processes. */
const PROGRESS_EVERY_MS = 250;

/** The non-empty lines of a JSONL file, streamed so a large file never sits in memory whole. */
async function* dataLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const input = createReadStream(file, 'utf8');
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    let line = 0;
    for await (const text of rl) {
      line++;
      if (text.trim()) yield { line, text };
    }
  } finally {
    rl.close();
    input.destroy(); // a stop leaves the loop early; the file must not stay open
  }
}

async function countRecords(file: string): Promise<number> {
  let n = 0;
  for await (const _ of dataLines(file)) n++;
  return n;
}

/**
 * A line's record, or its idx and what is wrong with the rest (written as its error line). A line without a usable idx
 * fails the job: main wrote the file, so that is a bug there, and no score line could name its record.
 */
function parseLine(file: string, line: number, text: string): { idx: number; record: ScoreRecord | null; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} line ${line}: not valid JSON (${(err as Error).message}).`, { cause: err });
  }
  const idx = (json as { idx?: unknown } | null)?.idx;
  if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0) throw new Error(`${file} line ${line}: "idx" must be a non-negative integer.`);
  const parsed = ScoreRecord.safeParse(json);
  if (parsed.success) return { idx, record: parsed.data, problem: '' };
  return { idx, record: null, problem: `invalid record: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
}

interface Resolved { params: ScoreParams; outFile: string; maxSeqLen: number; threads: number }

function resolveParams(ctx: JobContext, maxPositions: number): Resolved {
  const parsed = ScoreParams.safeParse(ctx.params);
  if (!parsed.success) throw new Error(`Invalid score parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (!ctx.runDir) throw new Error('A score job needs a run folder.');
  const params = parsed.data;
  const maxSeqLen = params.maxSeqLen ?? Math.min(SCORE_DEFAULT_MAX_SEQ_LEN, maxPositions);
  if (maxSeqLen > maxPositions) throw new Error(`maxSeqLen ${maxSeqLen} exceeds the model's ${maxPositions} positions (max_position_embeddings).`);
  return {
    params, maxSeqLen, outFile: params.outFile ? resolve(params.outFile) : scoresPath(ctx.runDir), threads: params.threads ?? os.availableParallelism(),
  };
}

/** The forward graph of the model (with the adapter, if any), compiled once; both passes of every record run on it. */
async function openEvalSession(modelDir: string, spec: ModelSpec, graphDir: string, threads: number, adapter: EvalAdapter | null): Promise<{ session: EngineSession; feeds: Record<string, Feed> }> {
  mkdirSync(graphDir, { recursive: true });
  const built = buildEvalGraph(spec, resolveWeightRefs(modelDir, graphDir), { ...(adapter?.graph ?? { lora: null }), name: 'score' });
  const path = join(graphDir, 'score.onnx');
  writeFileSync(path, built.serialize());
  return { session: await EngineSession.create(path, { intraOpThreads: threads }), feeds: adapterFeeds(built.params, adapter?.tensors) };
}

/** The greedy decoder of a job that measures exact match (ScoreParams.generate). */
interface Generator { session: EngineSession; feeds: Record<string, Feed>; maxNewTokens: number; eosIds: number[] }

/** Extra new tokens allowed beyond the reference answer's own: room for a wrong answer to differ without running long. */
const GENERATE_SLACK_TOKENS = 8;

/** The record's last answer generated greedily, and whether it matches the reference. */
async function generateAnswer(gen: Generator, tokenizer: TextTokenizer, record: ScoreRecord, conditioned: Example, maxSeqLen: number): Promise<Pick<ScoreLine, 'generated' | 'exact_match'>> {
  const task = generationTask(tokenizer, record, conditioned);
  const maxNewTokens = Math.min(gen.maxNewTokens, task.answerTokens + GENERATE_SLACK_TOKENS);
  const out = await greedyDecode(gen.session, task.promptIds, { maxNewTokens, eosIds: gen.eosIds, feeds: gen.feeds, maxLength: maxSeqLen });
  const text = tokenizer.decode(out.ids);
  const generated = task.answerPrefix && text.startsWith(task.answerPrefix) ? text.slice(task.answerPrefix.length) : text;
  return { generated, exact_match: exactMatch(generated, task.reference) };
}

/** Scores one record: its line for scores.jsonl, or its error line when it cannot be scored. */
async function scoreRecord(session: EngineSession, feeds: Record<string, Feed>, tokenizer: TextTokenizer, record: ScoreRecord, maxSeqLen: number, vocabSize: number, gen: Generator | null): Promise<ScoreLine | ScoreErrorLine> {
  try {
    const pair = encodeScorePair(tokenizer, record, maxSeqLen, vocabSize);
    // Batch size 1: no padding, so the loss is exactly the record's and order does not matter for cost.
    const given = await evaluateOnSession(session, [pair.conditioned], 1, 0, feeds);
    const alone = await evaluateOnSession(session, [pair.unconditioned], 1, 0, feeds);
    if (!Number.isFinite(given.loss) || !Number.isFinite(alone.loss) || alone.loss <= 0) {
      return { idx: record.idx, error: `the losses are not usable (given prompt ${given.loss}, alone ${alone.loss})` };
    }
    return {
      idx: record.idx, answer_loss_given_prompt: given.loss, answer_loss: alone.loss, ifd: given.loss / alone.loss, ppl: given.ppl, tokens: pair.answerTokens,
      ...(gen ? await generateAnswer(gen, tokenizer, record, pair.conditioned, maxSeqLen) : {}),
    };
  } catch (err) {
    if (err instanceof RecordError) return { idx: record.idx, error: err.message };
    throw err;
  }
}

export const scoreJob: EngineJob = {
  kind: 'score',
  async run(ctx: JobContext): Promise<JobOutcome> {
    const modelDir = (ctx.params as { modelDir?: unknown }).modelDir;
    const spec = readModelConfig(typeof modelDir === 'string' ? modelDir : '');
    const { params, outFile, maxSeqLen, threads } = resolveParams(ctx, spec.maxPositions);
    const tokenizer = TextTokenizer.fromFolder(params.modelDir);
    if (!tokenizer.hasChatTemplate) throw new Error(`${params.modelDir} has no chat template (tokenizer_config.json "chat_template"), which scoring conversations needs.`);

    // Resume: every idx already in the output file is final (scored or failed), so it is skipped, not redone.
    const written = readWrittenScores(outFile);
    let scored = written.scored.size;
    let errors = written.errors.size;
    const total = await countRecords(params.dataFile);
    const log = (text: string) => ctx.emit({ type: 'log', level: 'info', text });
    log(`scoring ${total} records (max_seq_len ${maxSeqLen}${scored + errors ? `, ${scored + errors} already in ${outFile}` : ''})`);

    const graphDir = join(ctx.runDir as string, 'graph');
    const adapter = params.adapterDir ? loadEvalAdapter(params.adapterDir) : null;
    if (adapter) log(`with the adapter ${params.adapterDir} (${adapter.label})`);
    const eos = tokenizer.eosTokenId;
    if (params.generate && eos == null) {
      throw new Error(`${params.modelDir} has no eos_token in tokenizer_config.json: generating answers for exact match needs one to stop at.`);
    }
    const { session, feeds } = await openEvalSession(params.modelDir, spec, graphDir, threads, adapter);
    let gen: Generator | null = null;
    const startedAt = Date.now();
    let seen = 0;
    let doneNow = 0;
    let lastReport = 0;
    const report = (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = now;
      const seconds = (now - startedAt) / 1000;
      const rate = doneNow > 0 && seconds > 0 ? doneNow / seconds : null; // records scored this run, per second
      ctx.emit({
        type: 'progress', progress: total ? Math.min(1, seen / total) : 1, message: `record ${seen}/${total} · ${errors} not scored`,
        rate, etaSeconds: rate ? (total - seen) / rate : null,
      });
    };
    try {
      if (params.generate) {
        gen = { ...(await openNextTokenSession(params.modelDir, spec, graphDir, threads, adapter)), maxNewTokens: params.generate.maxNewTokens, eosIds: [eos as number] };
        log(`generating each last answer greedily for exact match (at most ${params.generate.maxNewTokens} new tokens)`);
      }
      for await (const { line, text } of dataLines(params.dataFile)) {
        if (ctx.stopReason()) return { status: 'stopped' }; // a record boundary: every line written so far is whole
        seen++;
        const { idx, record, problem } = parseLine(params.dataFile, line, text);
        if (written.scored.has(idx) || written.errors.has(idx)) {
          report(false);
          continue;
        }
        const out = record ? await scoreRecord(session, feeds, tokenizer, record, maxSeqLen, spec.vocabSize, gen) : { idx, error: problem };
        appendJsonl(outFile, out); // one synchronous append per record: a crash loses at most the record in flight
        if ('error' in out) {
          written.errors.add(idx);
          errors++;
        } else {
          written.scored.add(idx);
          scored++;
        }
        doneNow++;
        report(false);
      }
      report(true);
    } finally {
      await session.release();
      await gen?.session.release();
      // The graph folder only holds hard links of the weights (copies where linking failed): nothing a resume needs.
      rmSync(graphDir, { recursive: true, force: true });
    }
    return { status: 'done', result: { scored, errors, out_file: outFile } };
  },
};
