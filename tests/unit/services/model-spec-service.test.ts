// models.spec over the API (real services, in-memory transport): a catalog model, a model folder, and bad input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../src-main/common/contract';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../src-main/services/app-services';
import { createMemoryClient } from '../../../src-main/services/memory-transport';
import { catalogModel } from '../../../src-main/estimate';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
let home: string;
let services: AppServices;
let client: ApiClient;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ftstudio-modelspec-'));
  services = await createAppServices({ home, mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
  client = createMemoryClient(services.handlers, services.hub);
});
afterAll(async () => {
  await services?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('models.spec', () => {
  it('answers a catalog model with the spec the estimator uses', async () => {
    const r = await client.call('models.spec', { model: 'qwen2.5-0.5b' });
    expect(r).toMatchObject({ name: 'Qwen2.5-0.5B', source: 'catalog' });
    expect(r.spec).toEqual(catalogModel('Qwen2.5-0.5B'));
  });

  it('reads a model folder’s config.json; an unknown model is invalid input that names it', async () => {
    const dir = join(home, 'tiny');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      architectures: ['LlamaForCausalLM'], hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4,
      num_key_value_heads: 2, vocab_size: 256, max_position_embeddings: 128, rms_norm_eps: 1e-5,
    }));
    const r = await client.call('models.spec', { model: dir });
    expect(r).toMatchObject({ name: dir, source: 'folder', spec: { hiddenSize: 64, numLayers: 2, numKvHeads: 2, headDim: 16 } });
    await expect(client.call('models.spec', { model: join(home, 'nope') })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining(join(home, 'nope')) });
    await expect(client.call('models.spec', { model: '' })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
