// The estimator over the API (real services, in-memory transport): a fit, an out-of-memory run with a fix, bad input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../src-main/common/contract';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../src-main/services/app-services';
import { createMemoryClient } from '../../../src-main/services/memory-transport';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
let home: string;
let services: AppServices;
let client: ApiClient;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ftstudio-estimate-'));
  services = await createAppServices({ home, mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
  client = createMemoryClient(services.handlers, services.hub);
});
afterAll(async () => {
  await services?.close();
  rmSync(home, { recursive: true, force: true });
});

const base = { method: 'lora', rank: 8, precision: 'bf16', batchSize: 1, seqLen: 1024, gradAccum: 1, profile: 'pytorch-peft' } as const;

describe('estimate over the API', () => {
  it('lists catalog models, this CPU and the catalog GPUs', async () => {
    const o = await client.call('estimate.options', {});
    expect(o.models.map((m) => m.name)).toContain('Llama-2-7B');
    expect(o.models.find((m) => m.name === 'Llama-2-7B')!.params).toBeGreaterThan(6.5e9);
    expect(o.devices[0]).toMatchObject({ id: 'cpu', kind: 'cpu' });
    expect(o.devices[0].memoryBytes).toBeGreaterThan(0);
    expect(o.devices.find((d) => d.id === 'h100-sxm')).toMatchObject({ kind: 'gpu', bf16: true });
    expect(o.precisions).toEqual(['fp32', 'fp16', 'bf16']);
  });

  it('a catalog model with LoRA fits an H100, with every component, a time and a cost', async () => {
    const r = await client.call('estimate.run', { ...base, model: 'Qwen2.5-1.5B', device: 'h100-sxm', tokens: 1_000_000 });
    expect(r.verdict.status).toBe('fits');
    expect(r.verdict.marginBytes).toBeGreaterThan(0);
    expect(r.device).toMatchObject({ kind: 'gpu', id: 'h100-sxm' });
    expect(r.memory.components.map((c) => c.key)).toEqual(expect.arrayContaining(['weights', 'activations', 'optimizerState', 'runtime']));
    expect(r.memory.totalBytes).toBeCloseTo(r.memory.components.reduce((s, c) => s + c.bytes, 0), -3);
    expect(r.fixes).toEqual([]);
    expect(r.time!.tokensPerSecond).toBeGreaterThan(0);
    expect(r.time!.totalSeconds).toBeGreaterThan(0);
    expect(r.cost).toMatchObject({ currency: 'USD', examplePrice: true });
    expect(r.cost!.cloudCost).toBeGreaterThan(0);
  });

  it('a 7B full fine-tune on a 24 GB GPU is out of memory, and a fix that fits exists; applying it fits', async () => {
    const input = { ...base, model: 'Llama-2-7B', method: 'full', seqLen: 512, device: 'rtx-4090' } as const;
    const r = await client.call('estimate.run', input);
    expect(r.verdict.status).toBe('oom');
    expect(r.verdict.marginBytes).toBeLessThan(0);
    expect(r.fixes[0].verdict.status).toBe('fits'); // ranked: fits first
    // A fix's change is named as the input names it, so applying it is a merge and re-estimates to the fix's verdict.
    const lora = r.fixes.find((f) => f.kind === 'lora')!;
    expect(lora.verdict.status).toBe('fits');
    expect(lora.change).toEqual({ method: 'lora', rank: 16, targets: 'all-linear' });
    const again = await client.call('estimate.run', { ...input, ...lora.change });
    expect(again.verdict.status).toBe('fits');
    expect(again.memory.totalBytes).toBeCloseTo(lora.totalBytes, -3);
    expect(r.fixes.find((f) => f.kind === 'larger-gpu')?.change).toEqual({ device: 'h200-sxm' });
  });

  it('reads a model folder; an unknown model or device is invalid input that names it', async () => {
    const dir = join(home, 'tiny');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      architectures: ['LlamaForCausalLM'], hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4,
      num_key_value_heads: 4, vocab_size: 256, max_position_embeddings: 128, rms_norm_eps: 1e-5,
    }));
    const r = await client.call('estimate.run', { model: dir, device: 'cpu', seqLen: 64 });
    expect(r.model).toMatchObject({ source: 'folder', name: dir, numLayers: 2 });
    expect(r.device.kind).toBe('cpu');
    expect(r.time).toBeNull(); // no CPU calibration in this home yet (estimate-calibration.test.ts measures one)
    await expect(client.call('estimate.run', { model: join(home, 'nope') })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining(join(home, 'nope')) });
    await expect(client.call('estimate.run', { model: 'Llama-2-7B', device: 'abacus' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('abacus') });
    await expect(client.call('estimate.run', { model: 'Llama-2-7B', batchSize: 0 })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
