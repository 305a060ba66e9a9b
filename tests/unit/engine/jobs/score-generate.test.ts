// The score job with `generate`: each record's last answer generated greedily from the turns before it (the chat template
// with its generation prompt), its exact match against the reference, the losses unchanged, a planted answer matched,
// and (with torch) the generated tokens equal to the PyTorch reference's greedy decode on the tiny chat model.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreJob } from '../../../../src-main/engine/jobs/score';
import { conditionedExample, generationTask, type ScoreRecord } from '../../../../src-main/engine/jobs/score-encode';
import { scoresPath } from '../../../../src-main/engine/jobs/score-file';
import type { JobContext } from '../../../../src-main/engine/jobs/types';
import { parseJobRequest } from '../../../../src-main/jobs/kinds';
import { TextTokenizer } from '../../../../src-main/models/tokenizer';
import { writeTinyChatModel } from '../../../fixtures/tiny-chat-model';
import { hasTorch, PYTHON } from '../../../reference/reference';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-score-gen-'));
const MODEL = join(work, 'model');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RECORDS: ScoreRecord[] = [
  { idx: 0, messages: [{ role: 'user', content: 'What is the capital of France?' }, { role: 'assistant', content: 'Paris.' }] },
  {
    idx: 1, system: 'You are terse.', messages: [
      { role: 'user', content: 'Capital of Peru?' }, { role: 'assistant', content: 'Lima.' },
      { role: 'user', content: 'And of Kenya?' }, { role: 'assistant', content: 'Nairobi.' },
    ], contextTurns: 2,
  },
];

let tokenizer: TextTokenizer;
beforeAll(() => {
  writeTinyChatModel(MODEL);
  tokenizer = TextTokenizer.fromFolder(MODEL);
});

function writeData(name: string, records: ScoreRecord[]): string {
  const file = join(work, `${name}.jsonl`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

async function score(name: string, dataFile: string, params: Record<string, unknown> = {}) {
  const runDir = join(work, name);
  mkdirSync(runDir, { recursive: true });
  const ctx: JobContext = {
    jobId: name, runDir, params: { modelDir: MODEL, dataFile, maxSeqLen: 128, threads: 1, ...params }, emit: () => {}, stopReason: () => null,
  };
  expect(await scoreJob.run(ctx)).toMatchObject({ status: 'done' });
  return readFileSync(scoresPath(runDir), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('generationTask', () => {
  it('prompts with the turns before the last answer rendered with the generation prompt, and knows the template\'s answer prefix', () => {
    const [single, multi] = RECORDS;
    const task = generationTask(tokenizer, single, conditionedExample(tokenizer, single));
    expect(task.promptIds).toEqual(tokenizer.encode(tokenizer.renderChat([single.messages[0]], true)));
    expect(task.reference).toBe('Paris.');
    // Qwen3's template writes an empty think block before the last answer; it is labelled with the answer.
    expect(task.answerPrefix).toBe('<think>\n\n</think>\n\n');
    expect(tokenizer.decode(conditionedExample(tokenizer, single).inputIds.slice(task.promptIds.length))).toBe('<think>\n\n</think>\n\nParis.<|im_end|>\n');
    expect(task.answerTokens).toBe(tokenizer.encode('<think>\n\n</think>\n\nParis.<|im_end|>').length);

    const k = generationTask(tokenizer, multi, conditionedExample(tokenizer, multi));
    expect(k.reference).toBe('Nairobi.');
    expect(tokenizer.decode(k.promptIds)).toBe(tokenizer.renderChat([{ role: 'system', content: 'You are terse.' }, ...multi.messages.slice(0, 3)], true));
  });
});

describe('score job with generate', () => {
  let plain: Record<string, unknown>[];
  let generated: Record<string, unknown>[];

  it('adds the generated answer and its exact match to each line, and leaves the losses as they were', async () => {
    const data = writeData('records', RECORDS);
    plain = await score('plain', data);
    generated = await score('generated', data, { generate: { maxNewTokens: 16 } });
    expect(generated.map((l) => l.idx)).toEqual([0, 1]);
    for (const [i, line] of generated.entries()) {
      expect(typeof line.generated).toBe('string');
      expect([0, 1]).toContain(line.exact_match);
      const { generated: _g, exact_match: _e, ...losses } = line;
      expect(losses).toEqual(plain[i]);
    }
    expect(plain[0]).not.toHaveProperty('generated');
    console.log(`tiny chat model, greedy answers: ${JSON.stringify(generated.map((l) => l.generated))}`);
  });

  it('scores exact match 1 on a planted record whose reference is what the model generates greedily', async () => {
    // At most 3 new tokens both times, so the second run generates exactly the first run's answer again.
    const first = await score('plant-1', writeData('plant-1', [RECORDS[0]]), { generate: { maxNewTokens: 3 } });
    const answer = first[0].generated as string;
    expect(answer.length).toBeGreaterThan(0);
    const planted: ScoreRecord = { idx: 0, messages: [RECORDS[0].messages[0], { role: 'assistant', content: answer }] };
    const second = await score('plant-2', writeData('plant-2', [planted, { ...RECORDS[0], idx: 1 }]), { generate: { maxNewTokens: 3 } });
    expect(second[0]).toMatchObject({ idx: 0, generated: answer, exact_match: 1 });
    expect(second[1]).toMatchObject({ idx: 1, generated: answer, exact_match: 0 }); // the same prompt, "Paris." expected
  });

  it('is validated by main: maxNewTokens is a positive integer', () => {
    expect(() => parseJobRequest('score', { modelDir: MODEL, dataFile: 'x', generate: { maxNewTokens: 0 } })).toThrow(/maxNewTokens/);
    expect(parseJobRequest('score', { modelDir: MODEL, dataFile: 'x', generate: { maxNewTokens: 8 } }).params).toMatchObject({ generate: { maxNewTokens: 8 } });
  });

  it.skipIf(!hasTorch)('generates what the PyTorch reference decodes greedily, with <|im_end|> as the EOS', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '../../../reference/generate_reference.py');
    const cases = RECORDS.map((r) => {
      const task = generationTask(tokenizer, r, conditionedExample(tokenizer, r));
      return { id: String(r.idx), model_dir: MODEL, prompts: [task.promptIds], max_new_tokens: Math.min(16, task.answerTokens + 8), eos_ids: [tokenizer.eosTokenId], lora: null, dtypes: ['float64'], prefix: task.answerPrefix };
    });
    const job = join(work, 'ref-job.json');
    writeFileSync(job, JSON.stringify({ cases }));
    const ref = JSON.parse(execFileSync(PYTHON, [script, job], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, OMP_NUM_THREADS: '1' } })) as Record<string, { float64: { tokens: number[][]; margins: number[][] } }>;
    for (const [i, c] of cases.entries()) {
      const text = tokenizer.decode(ref[c.id].float64.tokens[0]);
      expect(generated[i].generated).toBe(c.prefix && text.startsWith(c.prefix) ? text.slice(c.prefix.length) : text);
      console.log(`record ${c.id}: ${ref[c.id].float64.tokens[0].length} greedy tokens equal the reference's; smallest top-2 logit margin ${Math.min(...ref[c.id].float64.margins[0]).toExponential(2)}`);
    }
  });
});
