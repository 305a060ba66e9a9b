// The real services behind the API, driven through the in-memory transport: jobs end to end, and a broken database.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../src-main/common/contract';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../src-main/services/app-services';
import { createMemoryClient } from '../../../src-main/services/memory-transport';
import { homeLayout } from '../../../src-main/services/paths';
import { SUPPORTED_SCHEMA_VERSION } from '../../../src-main/store';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';
import { randomExamples, writeExamples } from '../engine/train/helpers';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
const opened: AppServices[] = [];
const homes: string[] = [];

async function open(home: string): Promise<{ services: AppServices; client: ApiClient }> {
  const services = await createAppServices({ home, mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
  opened.push(services);
  return { services, client: createMemoryClient(services.handlers, services.hub) };
}

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'ftstudio-services-'));
  homes.push(home);
  return home;
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

describe('app services over the in-memory transport', () => {
  it('reports the app, the store and the hardware', async () => {
    const home = tempHome();
    const { client } = await open(home);
    expect(await client.call('app.info', {})).toMatchObject({ name: 'Finetune Studio', mode: 'memory', home });
    expect(await client.call('store.status', {})).toMatchObject({ ok: true, problem: null, schemaVersion: SUPPORTED_SCHEMA_VERSION, path: homeLayout(home).database });
    const hw = await client.call('hardware.get', {});
    expect(hw.onnxruntime.providers).toEqual([{ name: 'cpu', works: true }]);
    await expect(client.call('external.open', { url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'invalid-input' });
    expect(await client.call('external.open', { url: 'https://example.com/' })).toEqual({ opened: false });
    await expect(client.call('dialog.openPaths', { kind: 'files' })).rejects.toMatchObject({ code: 'unavailable', message: /type the path/ });
  });

  it('runs a self-test job in an engine process, streaming progress, to completion', async () => {
    const { client } = await open(tempHome());
    const progress: number[] = [];
    client.on('job.progress', (p) => progress.push(p.progress));
    const done = new Promise<string>((resolve) => client.on('job.updated', (job) => {
      if (job.state === 'completed' || job.state === 'failed') resolve(job.state);
    }));
    const job = await client.call('jobs.start', { kind: 'selftest', params: { steps: 5, stepMs: 20 } });
    expect(job.state).toBe('running');
    expect(await done).toBe('completed');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    const listed = await client.call('jobs.list', {});
    expect(listed.map((j) => [j.id, j.state])).toEqual([[job.id, 'completed']]);
    expect(readFileSync(join(job.runDir!, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    const metrics = await client.call('jobs.metrics', { id: job.id });
    expect(metrics.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    expect((await client.call('jobs.metrics', { id: job.id, afterStep: 3 })).map((r) => r.step)).toEqual([4, 5]);
    await expect(client.call('jobs.start', { kind: 'selftest', params: { steps: -1 } })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(client.call('jobs.get', { id: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('starts a training run from the Train page values and streams its metrics', async () => {
    const home = tempHome();
    const { client } = await open(home);
    const modelDir = writeTinyModel(join(home, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
    const data = writeExamples(join(home, 'data.jsonl'), randomExamples(6, 256, 1));
    await expect(client.call('train.start', { model: join(home, 'nope'), data })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/config\.json does not exist/) });
    await expect(client.call('train.start', { model: modelDir, data, rank: 0 })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/rank/) });
    const steps: number[] = [];
    client.on('job.metrics', (m) => { if ('loss' in m.values) steps.push(m.step); });
    const done = new Promise<string>((resolve) => client.on('job.updated', (j) => { if (j.kind === 'train' && ['completed', 'failed'].includes(j.state)) resolve(j.reason ?? j.state); }));
    const job = await client.call('train.start', { model: modelDir, data, rank: 2, steps: 4, batch_size: 2 });
    expect(job).toMatchObject({ kind: 'train', state: 'running' });
    expect(job.runDir!.startsWith(homeLayout(home).runs)).toBe(true);
    expect(await done).toBe('completed');
    expect(steps).toEqual([1, 2, 3, 4]);
    expect((await client.call('jobs.metrics', { id: job.id })).filter((r) => 'loss' in r)).toHaveLength(4);
    expect(existsSync(join(job.runDir!, 'adapter', 'adapter_model.safetensors'))).toBe(true);
  });

  it('explains a corrupt database, refuses jobs, and moves the file aside only when asked', async () => {
    const home = tempHome();
    const db = homeLayout(home).database;
    mkdirSync(home, { recursive: true });
    writeFileSync(db, 'this is not a database'.repeat(100));
    const { client } = await open(home);
    const status = await client.call('store.status', {});
    expect(status).toMatchObject({ ok: false, problem: 'corrupt' });
    expect(status.message).toContain(db);
    await expect(client.call('jobs.list', {})).rejects.toMatchObject({ code: 'store-problem' });
    expect(readFileSync(db, 'utf8')).toBe('this is not a database'.repeat(100)); // untouched until the user decides

    const moved = await client.call('store.moveAside', {});
    expect(moved.status).toMatchObject({ ok: true, problem: null });
    expect(readFileSync(moved.movedTo, 'utf8')).toBe('this is not a database'.repeat(100));
    expect(existsSync(db)).toBe(true);
    expect(await client.call('jobs.list', {})).toEqual([]);
    await expect(client.call('store.moveAside', {})).rejects.toMatchObject({ code: 'conflict' });
  });
});
