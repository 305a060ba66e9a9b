// Loss-based scores end to end: data.score runs the score job (the tiny chat model's forward pass in an engine
// process), main stores its numbers when it completes, and a score_filter recipe uses them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../../src-main/common/contract';
import { NodeLauncher } from '../../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../../src-main/services/app-services';
import { createMemoryClient } from '../../../../src-main/services/memory-transport';
import { writeTinyChatModel } from '../../../fixtures/tiny-chat-model';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
const dir = mkdtempSync(join(tmpdir(), 'ftstudio-data-score-'));
let services: AppServices | null = null;
afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(what: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('data.score', () => {
  it('scores a version with the model, stores ifd/ppl, and score_filter uses them', async () => {
    const model = join(dir, 'model');
    writeTinyChatModel(model);
    services = await createAppServices({ home: join(dir, 'home'), mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
    const client: ApiClient = createMemoryClient(services.handlers, services.hub);
    const file = join(dir, 'chat.jsonl');
    writeFileSync(file, [
      ['What is the capital of France?', 'Paris.'],
      ['Name a primary colour.', 'Red is a primary colour.'],
      ['Say something.', 'The quick brown fox jumps over the lazy dog.'],
    ].map(([q, a]) => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }] })).join('\n'));
    const { dataset } = await client.call('data.import', { paths: [file], name: 'chat' });
    const versionId = dataset.currentVersion!.id;

    await expect(client.call('data.score', { versionId, modelPath: join(dir, 'nope') })).resolves.toMatchObject({ kind: 'score' }); // fails in the job
    const job = await client.call('data.score', { versionId, modelPath: model, threads: 1 });
    const done = await waitFor(async () => {
      const j = await client.call('jobs.get', { id: job.id });
      return ['completed', 'failed'].includes(j.state) ? j : undefined;
    });
    expect(done.state).toBe('completed');
    const scores = await waitFor(async () => {
      const s = await client.call('data.scores', { versionId });
      return s.names.length > 0 ? s : undefined;
    });
    expect(scores.names.map((n) => n.name)).toEqual(['answer_loss', 'answer_loss_given_prompt', 'ifd', 'ppl']);
    const ifd = scores.names.find((n) => n.name === 'ifd')!;
    expect(ifd.count).toBe(3);
    expect(ifd.min).toBeGreaterThan(0);

    // Keep only the records at or below the median IFD: the filter removes exactly those above it.
    const cleaned = await client.call('data.clean', { versionId, recipe: { steps: [{ op: 'score_filter', params: { score: 'ifd', max: ifd.median } }] } });
    expect(cleaned.steps[0].removed).toBe(1);
    const removed = (await client.call('data.changes', { versionId: cleaned.version.id })).rows[0];
    expect(removed.reason).toMatch(/^ifd \d\.\d{3} is outside −∞ … /);
    // The clean version inherits its parent's scores by idx (data.scores counts all three, the removed one included).
    expect((await client.call('data.scores', { versionId: cleaned.version.id })).names.find((n) => n.name === 'ifd')?.count).toBe(3);
  }, 180_000);
});
