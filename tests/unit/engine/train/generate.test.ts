// Greedy decoding on the next-token graph: the last position's logits and the greedy tokens equal the PyTorch reference
// (tests/reference/generate_reference.py) on tiny models, with and without a LoRA adapter; EOS and the limits stop it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvalGraph, buildNextTokenGraph, Prng, type BuildOptions } from '../../../../src-main/engine/nn';
import { promptParamShapes } from '../../../../src-main/engine/nn/prompt';
import { EngineSession, type Feed, type HostTensor } from '../../../../src-main/engine/runtime';
import { argmaxRow, greedyDecode, openNextTokenSession } from '../../../../src-main/engine/train/generate';
import { hasTorch, PYTHON } from '../../../reference/reference';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, relError } from '../nn/checkpoint';
import { LORA, adapterFeeds, prepare, randomAdapter, writeAdapter, type Prepared } from '../nn/fixtures';
import { PROMPT_CONFIGS, promptFeeds } from '../nn/prompt-fixtures';
import { ALL_TARGETS } from './helpers';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../../reference/generate_reference.py');
const MAX_NEW = 12;
const LOGITS_TOL = 1e-5;

interface RefOut { tokens: number[][]; margins: number[][]; first_logits: number[][] }
interface Opened { session: EngineSession; feeds: Record<string, Feed> }

const work = mkdtempSync(join(tmpdir(), 'generate-'));
const models = ['llama', 'qwen3'].map((id) => TINY_MODELS.find((m) => m.id === id)!);
const prepared = new Map<string, Prepared & { prompts: number[][]; adapterFile: string; adapter: Map<string, Float32Array> }>();
const sessions = new Map<string, Opened>();
let ref: Record<string, { float64: RefOut; float32: RefOut }> = {};
const figures: Record<string, Record<string, number>> = {};

/** Writes a graph beside its linked weights and runs it once (checkpoint.ts's runBuilt, for either graph kind). */
async function runGraph(built: { serialize(): Uint8Array }, dir: string, feeds: Record<string, Feed>, file: string): Promise<Record<string, HostTensor>> {
  writeFileSync(join(dir, file), built.serialize());
  const s = await EngineSession.create(join(dir, file), { intraOpThreads: 1 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

function runGenerateReference(cases: object[]): typeof ref {
  const job = join(work, 'generate-job.json');
  writeFileSync(job, JSON.stringify({ cases }));
  return JSON.parse(execFileSync(PYTHON, [SCRIPT, job], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' } }));
}

beforeAll(async () => {
  const cases: object[] = [];
  for (const m of models) {
    const p = prepare(work, m);
    const rng = new Prng(300 + m.seed);
    const prompts = [3, 8, 15].map((n) => Array.from({ length: n }, () => 1 + (rng.nextU32() % (p.spec.vocabSize - 1))));
    const adapter = randomAdapter(p.spec, LORA, 400 + m.seed);
    const adapterFile = join(work, m.id, 'adapter.safetensors');
    writeAdapter(adapterFile, p.spec, LORA, adapter);
    prepared.set(m.id, { ...p, prompts, adapterFile, adapter });
    sessions.set(m.id, await openNextTokenSession(p.modelDir, p.spec, join(work, m.id, 'gen'), 1, null));
    sessions.set(`${m.id}+lora`, await openNextTokenSession(p.modelDir, p.spec, join(work, m.id, 'gen-lora'), 1, { graph: { lora: LORA }, tensors: adapter, label: 'LoRA r 4' }));
    const lora = { r: LORA.r, alpha: LORA.alpha, targets: ALL_TARGETS, file: adapterFile };
    // No EOS: every prompt runs the full MAX_NEW steps, so every step is compared.
    cases.push({ id: m.id, model_dir: p.modelDir, prompts, max_new_tokens: MAX_NEW, eos_ids: [], lora: null, dtypes: ['float64', 'float32'] });
    cases.push({ id: `${m.id}+lora`, model_dir: p.modelDir, prompts, max_new_tokens: MAX_NEW, eos_ids: [], lora, dtypes: ['float64', 'float32'] });
  }
  if (hasTorch) ref = runGenerateReference(cases);
}, 120_000);

afterAll(async () => {
  for (const s of sessions.values()) await s.session.release();
  console.log(`greedy decoding parity (engine fp32 in ORT vs torch): ${JSON.stringify(figures, null, 1)}`);
  rmSync(work, { recursive: true, force: true });
});

describe('next-token graph', () => {
  it('outputs [B, V] float32 logits of the last position, with the adapter tensors as its only inputs besides the ids', () => {
    const p = prepared.get('llama')!;
    const built = buildNextTokenGraph(p.spec, p.weights, { lora: LORA });
    expect(new Set(built.params.map((x) => x.name))).toEqual(new Set(p.adapter.keys()));
    expect(built.params).toHaveLength(p.adapter.size);
    expect(buildNextTokenGraph(p.spec, p.weights).params).toEqual([]);
    expect(() => buildNextTokenGraph(p.spec, p.weights, { lora: LORA, prompt: { kind: 'ptuning', virtualTokens: 4, encoder: 'none' } as never })).toThrow(/cannot be combined/);
  });

  // The eval graph's loss of one labelled last token is −log softmax(logits)[token]: the two graphs agree for every adapter.
  for (const kind of ['lora', 'ptuning-mlp', 'prefix-proj'] as const) {
    it(`agrees with the eval graph's loss of the next token, with ${kind}`, async () => {
      const p = prepared.get('qwen3')!;
      const rng = new Prng(77);
      let opts: Pick<BuildOptions, 'lora' | 'prompt'>;
      let feeds: Record<string, Feed>;
      if (kind === 'lora') {
        opts = { lora: LORA };
        feeds = adapterFeeds(p.spec, LORA, p.adapter);
      } else {
        const cfg = PROMPT_CONFIGS[kind];
        opts = { prompt: cfg };
        feeds = promptFeeds(p.spec, cfg, new Map(promptParamShapes(p.spec, cfg).map((t) => [t.name, rng.normalArray(t.shape.reduce((a, b) => a * b, 1), 0.1)])));
      }
      const prompt = p.prompts[1];
      const next = await runGraph(buildNextTokenGraph(p.spec, p.weights, opts), p.graphDir, { input_ids: int64Feed([prompt]), ...feeds }, `next-${kind}.onnx`);
      const logits = next.logits.data as Float32Array;
      const max = Math.max(...logits);
      const logZ = max + Math.log(logits.reduce((acc, v) => acc + Math.exp(v - max), 0));
      const target = 7;
      const ids = [...prompt, target];
      const labels = ids.map((_, i) => (i === ids.length - 1 ? target : -100));
      const evalOut = await runGraph(buildEvalGraph(p.spec, p.weights, opts), p.graphDir, { input_ids: int64Feed([ids]), labels: int64Feed([labels]), ...feeds }, `eval-${kind}.onnx`);
      expect(Math.abs(Number(evalOut.loss.data[0]) - (logZ - logits[target]))).toBeLessThan(1e-4);
    });
  }

  it('argmax picks the first index on a tie and refuses rows with nothing usable', () => {
    expect(argmaxRow(Float32Array.from([1, 3, 3, 0, 9, 9]), 0, 3)).toBe(1);
    expect(argmaxRow(Float32Array.from([1, 3, 3, 0, 9, 9]), 1, 3)).toBe(1);
    expect(() => argmaxRow(Float32Array.from([NaN, NaN]), 0, 2)).toThrow(/no usable logits/);
  });
});

describe.skipIf(!hasTorch)('greedy decoding vs the PyTorch reference', () => {
  for (const id of models.flatMap((m) => [m.id, `${m.id}+lora`])) {
    it(`${id}: first-step logits within ${LOGITS_TOL} and the same ${MAX_NEW} greedy tokens for every prompt`, async () => {
      const p = prepared.get(id.replace('+lora', ''))!;
      const { session, feeds } = sessions.get(id)!;
      const r64 = ref[id].float64;
      const r32 = ref[id].float32;
      let logitsErr = 0;
      for (const [i, prompt] of p.prompts.entries()) {
        const out = await session.run({ input_ids: { data: BigInt64Array.from(prompt, BigInt), dims: [1, prompt.length] }, ...feeds }, ['logits']);
        expect(out.logits.dims).toEqual([1, p.spec.vocabSize]);
        logitsErr = Math.max(logitsErr, relError(out.logits.data as Float32Array, r64.first_logits[i]));
        const got = await greedyDecode(session, prompt, { maxNewTokens: MAX_NEW, eosIds: [], feeds });
        expect(got).toEqual({ ids: r64.tokens[i], stop: 'max-new-tokens' });
        expect(got.ids).toEqual(r32.tokens[i]);
      }
      expect(logitsErr).toBeLessThanOrEqual(LOGITS_TOL);
      figures[id] = { firstLogitsRelVsF64: logitsErr, minTop2Margin: Math.min(...r64.margins.flat()), steps: r64.margins.flat().length };
    });
  }

  it('the adapter changes the greedy tokens, and the engine follows the reference either way', () => {
    for (const m of models) expect(ref[`${m.id}+lora`].float64.tokens).not.toEqual(ref[m.id].float64.tokens);
  });
});

describe('stopping', () => {
  it('stops at an EOS (not kept), at maxNewTokens, and at maxLength', async () => {
    const p = prepared.get('qwen3')!;
    const { session } = sessions.get('qwen3')!;
    const prompt = p.prompts[1];
    const free = await greedyDecode(session, prompt, { maxNewTokens: 6, eosIds: [] });
    expect(free.ids).toHaveLength(6);
    const eos = free.ids[3];
    const stopAt = free.ids.indexOf(eos);
    expect(await greedyDecode(session, prompt, { maxNewTokens: 6, eosIds: [eos] })).toEqual({ ids: free.ids.slice(0, stopAt), stop: 'eos' });
    expect(await greedyDecode(session, prompt, { maxNewTokens: 6, eosIds: [], maxLength: prompt.length + 2 })).toEqual({ ids: free.ids.slice(0, 2), stop: 'max-length' });
    expect(await greedyDecode(session, prompt, { maxNewTokens: 0, eosIds: [] })).toEqual({ ids: [], stop: 'max-new-tokens' });
    await expect(greedyDecode(session, [], { maxNewTokens: 2, eosIds: [] })).rejects.toThrow(/at least one prompt token/);
  });
});
