// The measured baseline end to end: estimate.baseline starts a score job per shot count on the tiny chat model (engine
// processes under the supervisor), estimate.baselineResult reads their mean answer loss (and exact match, when asked);
// the version's scores stay untouched.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../src-main/common/contract';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../src-main/services/app-services';
import { createMemoryClient } from '../../../src-main/services/memory-transport';
import { writePeftAdapter } from '../../../src-main/engine/io/peft-adapter';
import { initLoraWeights, loraTensors, Prng, type LoraTarget } from '../../../src-main/engine/nn';
import { readModelConfig } from '../../../src-main/models/hf/config';
import { writeCapitalsData, writeTinyChatModel } from '../../fixtures/tiny-chat-model';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
const dir = mkdtempSync(join(tmpdir(), 'ftstudio-baseline-'));
let services: AppServices | null = null;
afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('estimate.baseline', () => {
  it('measures the base model\'s answer loss zero-shot and 2-shot on the eval version', async () => {
    const model = writeTinyChatModel(join(dir, 'model'));
    services = await createAppServices({ home: join(dir, 'home'), mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
    const client: ApiClient = createMemoryClient(services.handlers, services.hub);
    const { train } = writeCapitalsData(join(dir, 'data'));
    const { dataset } = await client.call('data.import', { paths: [train], name: 'capitals' });
    const versionId = dataset.currentVersion!.id;

    const started = await client.call('estimate.baseline', { modelPath: model, evalVersionId: versionId, shots: [0, 2], limit: 4, seed: 1, threads: 1 });
    expect(started.records).toBe(4);
    expect(started.jobs.map((j) => j.shots)).toEqual([0, 2]);
    const jobIds = started.jobs.map((j) => j.jobId);

    // The 2-shot prompt: two other capitals as earlier turns, marked as context; never the record itself.
    const twoShot = await client.call('jobs.get', { id: jobIds[1] });
    const lines = readFileSync(join(twoShot.runDir!, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { idx: number; messages: { content: string }[]; contextTurns: number });
    expect(lines).toHaveLength(4);
    for (const l of lines) {
      expect(l.contextTurns).toBe(4);
      expect(l.messages).toHaveLength(6);
      expect(l.messages.slice(0, 4).map((m) => m.content)).not.toContain(l.messages[4].content);
    }

    let result = await client.call('estimate.baselineResult', { jobIds });
    for (const until = Date.now() + 150_000; result.rows.some((r) => !['completed', 'failed'].includes(r.state)) && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 300));
      result = await client.call('estimate.baselineResult', { jobIds });
    }
    expect(result.rows.map((r) => [r.shots, r.state, r.scored, r.records, r.errors])).toEqual([[0, 'completed', 4, 4, 0], [2, 'completed', 4, 4, 0]]);
    for (const r of result.rows) {
      expect(r.loss).toBeGreaterThan(0);
      expect(r.ppl).toBeCloseTo(Math.exp(r.loss!), 9);
    }
    // A random tiny model: the examples change the loss (the prompt differs), whichever way.
    expect(result.rows[0].loss).not.toBe(result.rows[1].loss);
    // The baseline's losses are about prompts, not records: the version gets no data scores from them.
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.call('data.scores', { versionId })).names).toEqual([]);
    await expect(client.call('estimate.baselineResult', { jobIds: ['nope'] })).rejects.toThrow(/No job|No baseline job/);
  }, 200_000);

  it('measures a fine-tune the same way: with a B = 0 adapter the loss is the base model\'s, with a trained-looking one it is not', async () => {
    const client: ApiClient = createMemoryClient(services!.handlers, services!.hub);
    const model = join(dir, 'model');
    const spec = readModelConfig(model);
    const versionId = (await client.call('data.list', {}))[0].currentVersion!.id;
    const cfg = { r: 4, alpha: 8, targets: ['q_proj', 'v_proj'] as LoraTarget[] };
    const shapes = new Map(loraTensors(spec, cfg).map((t) => [t.name, t.shape]));
    const writeAdapter = (name: string, bScale: number) => {
      const values = initLoraWeights(spec, cfg, 3);
      const rng = new Prng(4);
      for (const [n, d] of values) if (n.includes('lora_B') && bScale) d.set(rng.normalArray(d.length, bScale));
      writePeftAdapter(join(dir, name), { r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj'], init: 'gaussian', baseModel: model },
        new Map([...values].map(([n, d]) => [n, { shape: shapes.get(n)!, data: d }])));
      return join(dir, name);
    };
    const runs = await Promise.all([undefined, writeAdapter('zero-b', 0), writeAdapter('random-b', 0.5)].map((adapterDir) =>
      client.call('estimate.baseline', { modelPath: model, evalVersionId: versionId, shots: [0], limit: 4, seed: 1, threads: 1, ...(adapterDir ? { adapterDir } : {}) })));
    const jobIds = runs.flatMap((r) => r.jobs.map((j) => j.jobId));
    // Asked for in the same millisecond, with the same shots: each still gets its own run folder (they once shared one,
    // and the job that ended first deleted the graph the other was reading).
    const runDirs = (await client.call('jobs.list', {})).filter((j) => jobIds.includes(j.id)).map((j) => j.runDir);
    expect(new Set(runDirs).size).toBe(3);
    let result = await client.call('estimate.baselineResult', { jobIds });
    for (const until = Date.now() + 150_000; result.rows.some((r) => !['completed', 'failed'].includes(r.state)) && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 300));
      result = await client.call('estimate.baselineResult', { jobIds });
    }
    const byAdapter = new Map(result.rows.map((r) => [r.adapter, r]));
    expect(result.rows.map((r) => r.state)).toEqual(['completed', 'completed', 'completed']);
    expect(byAdapter.get(join(dir, 'zero-b'))!.loss).toBe(byAdapter.get(null)!.loss);
    expect(Math.abs(byAdapter.get(join(dir, 'random-b'))!.loss! - byAdapter.get(null)!.loss!)).toBeGreaterThan(1e-3);
    await expect(client.call('estimate.baseline', { modelPath: model, evalVersionId: versionId, adapterDir: join(dir, 'nowhere') })).rejects.toThrow(/not an adapter folder/);
  }, 200_000);

  it('measures exact match on short answers: the generated answer and its rate per shot count; a planted answer scores 1', async () => {
    const client: ApiClient = createMemoryClient(services!.handlers, services!.hub);
    const model = join(dir, 'model');
    const versionId = (await client.call('data.list', {}))[0].currentVersion!.id;
    // maxNewTokens 3: every answer is cut at 3 tokens, so a rerun on the same prompts generates exactly the same text.
    const run = (evalVersionId: string, shots: number[]) => client.call('estimate.baseline', { modelPath: model, evalVersionId, shots, limit: 4, seed: 1, threads: 1, exactMatch: true, maxNewTokens: 3 });
    const settle = async (jobIds: string[]) => {
      let result = await client.call('estimate.baselineResult', { jobIds });
      for (const until = Date.now() + 150_000; result.rows.some((r) => !['completed', 'failed'].includes(r.state)) && Date.now() < until;) {
        await new Promise((r) => setTimeout(r, 300));
        result = await client.call('estimate.baselineResult', { jobIds });
      }
      return result.rows;
    };
    const started = await run(versionId, [0, 2]);
    const jobIds = started.jobs.map((j) => j.jobId);
    const rows = await settle(jobIds);
    expect(rows.map((r) => [r.shots, r.state, r.scored])).toEqual([[0, 'completed', 4], [2, 'completed', 4]]);
    for (const r of rows) {
      expect(r.exactMatch).toBeGreaterThanOrEqual(0);
      expect(r.exactMatch).toBeLessThanOrEqual(1);
      expect(r.generatedSample!.generated.length).toBeGreaterThan(0);
      expect(r.generatedSample!.expected).toMatch(/^[A-Z][a-z]+\.$/); // a capital: "Paris."
    }

    // Plant: a version whose answers are the zero-shot generations themselves, for the same questions.
    const zeroShot = await client.call('jobs.get', { id: jobIds[0] });
    const generated = new Map(readFileSync(join(zeroShot.runDir!, 'scores.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { idx: number; generated: string }).map((l) => [l.idx, l.generated]));
    const questions = readFileSync(join(zeroShot.runDir!, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { idx: number; messages: { content: string }[] });
    const plantedFile = join(dir, 'planted.jsonl');
    writeFileSync(plantedFile, questions.map((q) => JSON.stringify({ messages: [{ role: 'user', content: q.messages[0].content }, { role: 'assistant', content: generated.get(q.idx) }] })).join('\n'));
    const { dataset } = await client.call('data.import', { paths: [plantedFile], name: 'planted' });
    const planted = await settle((await run(dataset.currentVersion!.id, [0])).jobs.map((j) => j.jobId));
    expect(planted.map((r) => [r.state, r.scored, r.exactMatch])).toEqual([['completed', 4, 1]]);
    // Without exactMatch the rows say it was not measured.
    expect((await settle((await client.call('estimate.baseline', { modelPath: model, evalVersionId: versionId, shots: [0], limit: 2, threads: 1 })).jobs.map((j) => j.jobId)))[0])
      .toMatchObject({ exactMatch: null, generatedSample: null });
  }, 200_000);

  it('compares the alternatives through the API', async () => {
    const client: ApiClient = createMemoryClient(services!.handlers, services!.hub);
    const out = await client.call('estimate.alternatives', { model: 'Llama-2-7B', device: 'a100-80gb-sxm', profile: 'pytorch-peft', precision: 'bf16', tokens: 1_000_000, corpusTokens: 5_000_000 });
    expect(out.alternatives.map((a) => a.kind)).toEqual(['prompt', 'few-shot', 'rag', 'ptuning', 'lora', 'full']);
    expect(out.baseRequestTokens).toBe(300);
    const pt = out.alternatives.find((a) => a.kind === 'ptuning')!;
    // 20 × 4096 + MLP(4096 → 4096 → 4096 → 4096) with biases.
    expect(pt.trainableParams).toBe(20 * 4096 + 3 * (4096 * 4096 + 4096));
    expect(out.alternatives.find((a) => a.kind === 'full')!.memory.verdict.status).toBe('oom');
    expect(out.examplePrice).toBe(true);
  });
});
