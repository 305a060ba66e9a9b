// The score job (IFD data-quality scores) on the tiny chat model with Qwen3's real tokenizer: its losses equal
// evaluateLoss on each record's two tokenizations, bad records get error lines, a stop + resume skips what is written,
// it runs as a real engine process under the supervisor, and (with torch) the losses match the PyTorch reference.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromEngine } from '../../../../src-main/common/engine-protocol';
import { scoreJob } from '../../../../src-main/engine/jobs/score';
import { conditionedExample, unconditionedExample, type ScoreRecord } from '../../../../src-main/engine/jobs/score-encode';
import { scoresPath } from '../../../../src-main/engine/jobs/score-file';
import type { JobContext, StopReason } from '../../../../src-main/engine/jobs/types';
import { evaluateLoss } from '../../../../src-main/engine/train/evaluate';
import { jobKinds, parseJobRequest } from '../../../../src-main/jobs/kinds';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TextTokenizer } from '../../../../src-main/models/tokenizer';
import { writeTinyChatModel } from '../../../fixtures/tiny-chat-model';
import { hasTorch, runReference } from '../../../reference/reference';
import { makeHarness } from '../../jobs/helpers';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-score-'));
const MODEL = join(work, 'model');
const DATA = join(work, 'records.jsonl');
const MAX_SEQ_LEN = 96;
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RECORDS: ScoreRecord[] = [
  { idx: 0, messages: [{ role: 'user', content: 'What is the capital of France?' }, { role: 'assistant', content: 'Paris.' }] },
  {
    idx: 3, system: 'You are terse.', messages: [
      { role: 'user', content: 'Capital of Peru?' }, { role: 'assistant', content: 'Lima.' },
      { role: 'user', content: 'And of Kenya?' }, { role: 'assistant', content: 'Nairobi, on the Athi plains.' },
    ],
  },
  { idx: 5, messages: [{ role: 'user', content: 'Name a prime.' }, { role: 'assistant', content: 'Seven is prime; so is eleven.' }] },
  { idx: 7, messages: [{ role: 'user', content: 'Repeat after me: ' + 'lorem ipsum dolor sit amet '.repeat(30) }, { role: 'assistant', content: 'No.' }] },
  { idx: 9, messages: [{ role: 'user', content: 'Only a question, never answered.' }] },
];
const SCORED = [0, 3, 5];

let tokenizer: TextTokenizer;
beforeAll(() => {
  writeTinyChatModel(MODEL);
  tokenizer = TextTokenizer.fromFolder(MODEL);
  writeFileSync(DATA, RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
});

/** The job's context as the engine host gives it, with a scripted stop. */
function fakeCtx(runDir: string, stopAfterChecks = Infinity, params: Record<string, unknown> = {}) {
  const events: FromEngine[] = [];
  let checks = 0;
  const ctx: JobContext = {
    jobId: 'test', runDir, params: { modelDir: MODEL, dataFile: DATA, maxSeqLen: MAX_SEQ_LEN, threads: 1, ...params },
    emit: (m) => events.push(m),
    stopReason: (): StopReason | null => (++checks > stopAfterChecks ? 'cancel' : null),
  };
  return { ctx, events };
}

const readLines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('score job', () => {
  const runDir = join(work, 'run');
  let lines: Record<string, number | string>[];

  it('scores each record and writes error lines for the over-long one and the one without an answer', async () => {
    mkdirSync(runDir, { recursive: true });
    const { ctx, events } = fakeCtx(runDir);
    const t0 = performance.now();
    const outcome = await scoreJob.run(ctx);
    const ms = performance.now() - t0;
    expect(outcome).toEqual({ status: 'done', result: { scored: 3, errors: 2, out_file: scoresPath(runDir) } });
    lines = readLines(scoresPath(runDir));
    expect(lines.map((l) => l.idx)).toEqual([0, 3, 5, 7, 9]);
    expect(lines[3].error).toMatch(/^longer than max_seq_len \(\d+ tokens > 96\)$/);
    expect(lines[4]).toEqual({ idx: 9, error: 'no assistant turn to score' });
    for (const l of lines.slice(0, 3)) {
      expect(Object.keys(l).sort()).toEqual(['answer_loss', 'answer_loss_given_prompt', 'idx', 'ifd', 'ppl', 'tokens']);
      expect(l.ifd).toBe((l.answer_loss_given_prompt as number) / (l.answer_loss as number));
      expect(l.ppl).toBeCloseTo(Math.exp(l.answer_loss_given_prompt as number), 10);
    }
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ progress: 1, etaSeconds: 0 });
    expect((progress.at(-1) as { rate: number }).rate).toBeGreaterThan(0);
    expect(existsSync(join(runDir, 'graph'))).toBe(false);
    console.log(`score job on the tiny chat model: ${RECORDS.length} records in ${ms.toFixed(0)} ms including the graph compile`);
  });

  it('gives exactly what evaluateLoss gives on each record\'s two tokenizations', async () => {
    const spec = readModelConfig(MODEL);
    const evalOne = (name: string, ex: { inputIds: number[]; labels: number[] }) => evaluateLoss({
      modelDir: MODEL, spec, workDir: join(work, 'eval', name), adapter: null, examples: [ex], batchSize: 1, padId: 0, threads: 1,
    });
    for (const idx of SCORED) {
      const record = RECORDS.find((r) => r.idx === idx)!;
      const line = lines.find((l) => l.idx === idx)!;
      const given = await evalOne(`${idx}-given`, conditionedExample(tokenizer, record));
      const alone = await evalOne(`${idx}-alone`, unconditionedExample(tokenizer, record));
      expect(relErr(line.answer_loss_given_prompt as number, given.loss)).toBeLessThanOrEqual(1e-6);
      expect(relErr(line.answer_loss as number, alone.loss)).toBeLessThanOrEqual(1e-6);
      expect(line.tokens).toBe(given.tokens);
    }
  });

  it('tokenizes as training does: the template with assistant-only labels, and the answers alone as plain text', () => {
    const multi = RECORDS[1];
    const chat = [{ role: 'system' as const, content: multi.system! }, ...multi.messages];
    expect(conditionedExample(tokenizer, multi)).toEqual(tokenizer.encodeChat(chat, false));
    const alone = unconditionedExample(tokenizer, multi);
    expect(alone.inputIds).toEqual(tokenizer.encode('Lima.\nNairobi, on the Athi plains.', true));
    expect(alone.labels).toEqual(alone.inputIds);
  });

  it('stops at a record boundary and resumes without redoing what is written (a torn last line is redone)', async () => {
    const dir = join(work, 'resume');
    mkdirSync(dir, { recursive: true });
    const first = fakeCtx(dir, 2); // two records pass the stop check, the third sees the cancel
    expect(await scoreJob.run(first.ctx)).toEqual({ status: 'stopped' });
    expect(readLines(scoresPath(dir)).map((l) => l.idx)).toEqual([0, 3]);
    expect(jobKinds.score.canResume(dir)).toBe(true);

    appendFileSync(scoresPath(dir), '{"idx": 5, "answer_lo'); // a crash in the middle of a write
    const second = fakeCtx(dir);
    const outcome = await scoreJob.run(second.ctx);
    expect(outcome).toMatchObject({ status: 'done', result: { scored: 3, errors: 2 } });
    const resumed = readLines(scoresPath(dir));
    expect(resumed.map((l) => l.idx)).toEqual([0, 3, 5, 7, 9]);
    expect(resumed).toEqual(lines); // deterministic: the same numbers as the uninterrupted run
    expect(second.events.find((e) => e.type === 'log')).toMatchObject({ text: expect.stringContaining('2 already in') });
  });

  it('writes to outFile when given, and refuses a maxSeqLen beyond the model\'s positions', async () => {
    const dir = join(work, 'custom');
    const out = join(work, 'custom-out', 'q.jsonl');
    mkdirSync(dir, { recursive: true });
    const ok = await scoreJob.run(fakeCtx(dir, Infinity, { outFile: out, maxSeqLen: 512 }).ctx);
    expect(ok).toMatchObject({ status: 'done', result: { scored: 4, errors: 1, out_file: out } });
    expect(readLines(out).find((l) => l.idx === 7)).toHaveProperty('ifd');
    await expect(scoreJob.run(fakeCtx(dir, Infinity, { maxSeqLen: 513 }).ctx)).rejects.toThrow(/513 exceeds the model's 512 positions/);
  });

  it('is a job kind main validates, and resumable only once a scores file exists', () => {
    expect(() => parseJobRequest('score', { dataFile: DATA })).toThrow(/modelDir/);
    expect(parseJobRequest('score', { modelDir: MODEL, dataFile: DATA }).params).toEqual({ modelDir: MODEL, dataFile: DATA });
    expect(jobKinds.score.canResume(null)).toBe(false);
    expect(jobKinds.score.canResume(join(work, 'nowhere'))).toBe(false);
  });

  it('runs as a real engine process under the supervisor', async () => {
    const h = await makeHarness();
    try {
      const job = await h.supervisor.start('score', { modelDir: MODEL, dataFile: DATA, maxSeqLen: MAX_SEQ_LEN, threads: 1 });
      const done = await h.supervisor.whenSettled(job.id);
      expect(done).toMatchObject({ state: 'completed', progress: 1, reason: null });
      expect(readLines(scoresPath(job.runDir!))).toEqual(lines);
      expect(h.progressOf(job.id).at(-1)).toMatchObject({ progress: 1 });
    } finally {
      await h.dispose();
    }
  }, 60_000);

  it.skipIf(!hasTorch)('matches the PyTorch reference on both losses of a multi-turn record (1e-5 relative)', () => {
    const record = RECORDS[1];
    const line = lines.find((l) => l.idx === record.idx)!;
    const cases = [['given', conditionedExample(tokenizer, record)], ['alone', unconditionedExample(tokenizer, record)]] as const;
    const ref = runReference(cases.map(([id, ex]) => ({
      id, model_dir: MODEL, input_ids: [ex.inputIds], labels: [ex.labels], lora: null, dtypes: ['float64' as const],
    })), work);
    expect(relErr(line.answer_loss_given_prompt as number, ref.given.float64!.loss)).toBeLessThanOrEqual(1e-5);
    expect(relErr(line.answer_loss as number, ref.alone.float64!.loss)).toBeLessThanOrEqual(1e-5);
    expect(line.tokens).toBe(ref.given.float64!.token_count);
  });
});
