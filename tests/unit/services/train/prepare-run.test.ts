// Run preparation: OUT/data + OUT/run.json + job params for good input; for bad input OUT holds error.json and nothing else.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainJobParams } from '../../../../src-main/common/train';
import { TextTokenizer } from '../../../../src-main/models/tokenizer';
import { padIdOf, prepareRun, readRunInfo, resolveTrainConfig, type TrainConfig } from '../../../../src-main/services/train';
import { QWEN3_TOKENIZER_DIR } from '../../../fixtures/tokenizers';
import { writeRandomAdapter } from '../../../reference/export/random-adapter';
import { TINY_MODELS, writeTinyModel } from '../../../reference/tiny-models';
import { readModelConfig } from '../../../../src-main/models/hf/config';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-prepare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const llama = TINY_MODELS.find((m) => m.id === 'llama')!;
const MODEL = join(work, 'model');
let n = 0;
const outDir = () => join(work, 'runs', `run-${++n}`);

function jsonl(name: string, rows: unknown[]): string {
  const file = join(work, name);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
  return file;
}
const tokenRows = (count: number, len = 8) => Array.from({ length: count }, (_, i) => ({ input_ids: Array.from({ length: len + (i % 3) }, (_, t) => (i * 13 + t * 7) % 256) }));
const config = (flags: Record<string, string | boolean>): TrainConfig => resolveTrainConfig({ flags, defaultThreads: 2 });

beforeAll(() => {
  writeTinyModel(MODEL, llama);
});

describe('prepareRun', () => {
  it('tokenizes into OUT/data, writes run.json and yields valid job params (epochs → steps, pad id, max_seq_len)', async () => {
    const data = jsonl('train.jsonl', tokenRows(10));
    const evalData = jsonl('eval.jsonl', tokenRows(3));
    const out = outDir();
    const run = await prepareRun(config({ model: MODEL, data, 'eval-data': evalData, out, 'batch-size': '3', 'grad-accum': '2', epochs: '2', rank: '4' }), () => new Date('2030-01-02T03:04:05Z'));
    expect(readdirSync(out).sort()).toEqual(['data', 'run.json']);
    expect(readdirSync(join(out, 'data')).sort()).toEqual(['eval.jsonl', 'train.jsonl']);
    expect(readFileSync(join(out, 'data/train.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
    expect(TrainJobParams.parse(run.params)).toEqual(run.params);
    // 10 examples / batch 3 = 4 micro-batches per epoch; 2 epochs = 8; 2 per step → 4 steps.
    expect(run.params).toMatchObject({
      steps: 4, padId: 0, modelDir: MODEL, trainData: join(out, 'data/train.jsonl'), evalData: join(out, 'data/eval.jsonl'),
      lora: { r: 4, alpha: 16, targets: 'all-linear', dropout: 0, init: 'gaussian' }, optimizer: 'adamw', lr: 2e-4, schedule: 'linear', threads: 2,
    });
    expect(run.params.spec.architecture).toBe('LlamaForCausalLM');
    const info = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(info).toMatchObject({
      kind: 'ftstudio-train-run', app: { name: 'Finetune Studio' }, versions: { node: process.version, onnxruntime: expect.stringMatching(/^\d+\.\d+/) },
      hardware: { logical_cores: expect.any(Number), memory_bytes: expect.any(Number) },
      config: { max_seq_len: 1024, steps: 4, epochs: 2, rank: 4 }, started_at: '2030-01-02T03:04:05.000Z',
      data: { train: { rows: 10, examples: 10, format: 'tokens', source: data }, eval: { examples: 3 } },
    });
    expect(readRunInfo(out).params).toEqual(run.params); // what --resume reads back
  });

  it('records LoRA+ (method and ratio) in run.json and the job params; plain LoRA params carry no ratio', async () => {
    const data = jsonl('plus.jsonl', tokenRows(4));
    const out = outDir();
    const run = await prepareRun(config({ model: MODEL, data, out, steps: '2', method: 'lora_plus', 'loraplus-ratio': '8' }));
    expect(run.params).toMatchObject({ method: 'lora_plus', loraPlusRatio: 8 });
    const info = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(info).toMatchObject({ config: { method: 'lora_plus', loraplus_ratio: 8 }, params: { method: 'lora_plus', loraPlusRatio: 8 } });
    expect(readRunInfo(out).params).toEqual(run.params);
    const plainOut = outDir();
    const plain = await prepareRun(config({ model: MODEL, data, out: plainOut, steps: '2' }));
    expect(plain.params.method).toBe('lora');
    expect('loraPlusRatio' in plain.params).toBe(false);
    // A plain run's recorded config has no ratio, so it can be pasted back into a run.yaml without an error.
    expect('loraplus_ratio' in JSON.parse(readFileSync(join(plainOut, 'run.json'), 'utf8')).config).toBe(false);
  });

  it('gives each method its own settings in the job params, and run.json\'s config only the keys of its method', async () => {
    const data = jsonl('methods.jsonl', tokenRows(4));
    const spec = readModelConfig(MODEL);
    const prepare = async (flags: Record<string, string | boolean>) => {
      const out = outDir();
      const run = await prepareRun(config({ model: MODEL, data, out, steps: '2', ...flags }));
      const info = readRunInfo(out);
      // What run.json records can be fed back as a config without an error (no keys of another method).
      expect(() => resolveTrainConfig({ values: { ...info.config, steps: undefined, max_seq_len: info.config.max_seq_len, out: undefined } })).not.toThrow();
      return { run, info, out };
    };
    const plora = await prepare({ method: 'plora', stages: '3' });
    expect(plora.run.params).toMatchObject({ method: 'plora', stages: 3 });
    expect(plora.info.config).not.toHaveProperty('virtual_tokens');
    const pt = await prepare({ method: 'ptuning', encoder: 'lstm', 'virtual-tokens': '8' });
    expect(pt.run.params).toMatchObject({ method: 'ptuning', prompt: { virtualTokens: 8, encoder: 'lstm', encoderHidden: spec.hiddenSize }, lr: 1e-3 });
    expect(pt.info.config).not.toHaveProperty('rank');
    const full = await prepare({ method: 'full', 'ewc-lambda': '50', 'ewc-data': jsonl('general.jsonl', tokenRows(3)) });
    expect(full.run.params).toMatchObject({ method: 'full', lr: 1e-5, weightDecay: 0.01, guards: { ewcLambda: 50, l2spLambda: 0, ewcData: join(full.out, 'data', 'ewc.jsonl') } });
    expect(readdirSync(join(full.out, 'data')).sort()).toEqual(['ewc.jsonl', 'train.jsonl']);
    const unguarded = await prepare({ method: 'full' });
    expect('guards' in unguarded.run.params).toBe(false);
    const dora = await prepare({ 'use-dora': true, 'use-rslora': true });
    expect(dora.run.params.lora).toMatchObject({ useDora: true, useRslora: true });
  });

  it('removes the error.json of an earlier failed attempt once preparation succeeds', async () => {
    const out = outDir();
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'error.json'), '{"error":"old"}');
    await prepareRun(config({ model: MODEL, data: jsonl('ok.jsonl', tokenRows(2)), out, steps: '3' }));
    expect(readdirSync(out).sort()).toEqual(['data', 'run.json']);
  });

  it('refuses an OUT that holds a run or other files, and writes nothing there', async () => {
    const data = jsonl('ok2.jsonl', tokenRows(2));
    const out = outDir();
    await prepareRun(config({ model: MODEL, data, out }));
    await expect(prepareRun(config({ model: MODEL, data, out }))).rejects.toThrow(/already holds a run: continue it with --resume/);
    expect(readdirSync(out).sort()).toEqual(['data', 'run.json']);
    const busy = outDir();
    mkdirSync(busy, { recursive: true });
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    await expect(prepareRun(config({ model: MODEL, data, out: busy }))).rejects.toThrow(/is not empty \(notes\.txt\)/);
    expect(readdirSync(busy)).toEqual(['notes.txt']);
  });

  it('refuses an --init-adapter whose rank or targets differ from the run\'s', async () => {
    const adapter = join(work, 'init-adapter');
    writeRandomAdapter(adapter, readModelConfig(MODEL), { r: 2, alpha: 4, targets: ['q_proj'] }, 1);
    const out = outDir();
    await expect(prepareRun(config({ model: MODEL, data: jsonl('ia.jsonl', tokenRows(2)), out, 'init-adapter': adapter }))).rejects.toThrow(/has r=2, alpha=4 and targets q_proj; the run has rank 8, alpha 16 and targets down_proj,gate_proj,/);
    expect(readdirSync(out)).toEqual(['error.json']);
    const ok = outDir();
    await prepareRun(config({ model: MODEL, data: jsonl('ia.jsonl', tokenRows(2)), out: ok, 'init-adapter': adapter, rank: '2', alpha: '4', targets: 'q_proj' }));
  });
});

describe('bad input leaves only OUT/error.json', () => {
  const noConfig = join(work, 'no-config');
  const gpt2 = join(work, 'gpt2');
  const short = join(work, 'short-model');
  const withTokenizer = join(work, 'tiny-with-qwen-tokenizer');
  beforeAll(() => {
    mkdirSync(noConfig, { recursive: true });
    writeFileSync(join(noConfig, 'model.safetensors'), '');
    writeTinyModel(gpt2, llama);
    writeFileSync(join(gpt2, 'config.json'), JSON.stringify({ ...llama.config, architectures: ['GPT2LMHeadModel'] }));
    writeTinyModel(short, { ...llama, config: { ...llama.config, max_position_embeddings: 16 } });
    writeTinyModel(withTokenizer, llama); // vocab 256: Qwen3's tokenizer produces far larger ids
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(QWEN3_TOKENIZER_DIR, f), join(withTokenizer, f));
  });

  const cases: [string, () => Record<string, string>, RegExp][] = [
    ['no config.json', () => ({ model: noConfig, data: jsonl('a.jsonl', tokenRows(2)) }), /config\.json/],
    ['an unsupported architecture', () => ({ model: gpt2, data: jsonl('b.jsonl', tokenRows(2)) }), /architecture "GPT2LMHeadModel" is not supported \(supported: LlamaForCausalLM, /],
    ['token ids ≥ vocab size (pre-tokenized)', () => ({ model: MODEL, data: jsonl('c.jsonl', [{ input_ids: [1, 2, 3] }, { input_ids: [4, 300, 5] }]) }),
      /c\.jsonl line 2: field "input_ids\[1\]" holds token id 300, outside the model's vocabulary of 256 tokens/],
    ['token ids ≥ vocab size (the tokenizer is not the model\'s)', () => ({ model: withTokenizer, data: jsonl('c2.jsonl', [{ text: 'Hello there, world.' }]) }),
      /c2\.jsonl line 1: the tokenizer produced token id \d+, outside the model's vocabulary of 256 tokens .*does not belong to this model/],
    ['an empty dataset', () => ({ model: MODEL, data: jsonl('d.jsonl', []) }), /d\.jsonl: the file has no rows/],
    ['a dataset of fully masked rows', () => ({ model: MODEL, data: jsonl('d2.jsonl', [{ input_ids: [1, 2], labels: [-100, -100] }]) }), /no usable rows/],
    ['rows longer than the model\'s positions', () => ({ model: short, data: jsonl('e.jsonl', [{ input_ids: [1, 2] }, { input_ids: Array(20).fill(3) }]) }),
      /e\.jsonl line 2: the row is 20 tokens long, more than maxSeqLen 16; .*\(the model allows up to 16\)/],
    ['a max_seq_len beyond the model\'s positions', () => ({ model: short, data: jsonl('e2.jsonl', tokenRows(1)), 'max-seq-len': '64' }), /maxSeqLen 64 exceeds the model's 16 positions/],
    ['eval data with ids ≥ vocab size', () => ({ model: MODEL, data: jsonl('f.jsonl', tokenRows(2)), 'eval-data': jsonl('f-eval.jsonl', [{ input_ids: [999, 1] }]) }), /f-eval\.jsonl line 1: .*999/],
  ];

  it.each(cases)('%s', async (_what, flags, message) => {
    const out = outDir();
    const err = await prepareRun(config({ ...flags(), out })).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(message);
    expect(readdirSync(out)).toEqual(['error.json']);
    expect(JSON.parse(readFileSync(join(out, 'error.json'), 'utf8'))).toEqual({ error: err!.message });
  });

  it('--resume of a folder without run.json is refused, pointing at error.json when there is one', async () => {
    const out = outDir();
    await prepareRun(config({ model: noConfig, data: jsonl('g.jsonl', tokenRows(1)), out })).catch(() => undefined);
    expect(() => readRunInfo(out)).toThrow(/has no run\.json, so it is not a training run folder \(its preparation failed: see error\.json\)/);
    expect(() => readRunInfo(join(work, 'nowhere'))).toThrow(/has no run\.json/);
    expect(existsSync(join(work, 'nowhere'))).toBe(false);
  });
});

describe('padIdOf', () => {
  it('takes the pad token, else eos, else 0 — whichever the embedding can index', () => {
    const tok = TextTokenizer.fromFolder(QWEN3_TOKENIZER_DIR);
    expect(padIdOf(tok, 200_000)).toBe(151643); // <|endoftext|>
    expect(padIdOf(tok, 256)).toBe(0);
    expect(padIdOf(null, 256)).toBe(0);
  });
});
