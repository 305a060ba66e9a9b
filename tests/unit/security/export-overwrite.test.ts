// data.export never replaces an existing file unless asked to, and a replaced file keeps its permissions (the review
// exported over a 0600 file and left it 0644).
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../src-main/services/app-services';
import { createMemoryClient } from '../../../src-main/services/memory-transport';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-export-overwrite-'));
let services: AppServices | null = null;
afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('data.export overwrite policy', () => {
  it('refuses an existing file without overwrite, replaces it with overwrite, and keeps its mode', async () => {
    services = await createAppServices({
      home: join(dir, 'home'), mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }),
      providers: { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] },
    });
    const client = createMemoryClient(services.handlers, services.hub);
    const data = join(dir, 'rows.jsonl');
    writeFileSync(data, `${JSON.stringify({ instruction: 'Say hi.', input: '', output: 'Hi.' })}\n`);
    const { dataset } = await client.call('data.import', { paths: [data], name: 'tiny' });
    const versionId = dataset.currentVersion!.id;

    const target = join(dir, 'private.jsonl');
    writeFileSync(target, 'secret\n');
    chmodSync(target, 0o600);
    await expect(client.call('data.export', { versionId, path: target })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(`${target} already exists: nothing was written`) });
    expect(readFileSync(target, 'utf8')).toBe('secret\n');

    const out = await client.call('data.export', { versionId, path: target, overwrite: true });
    expect(out.records).toBe(1);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({ messages: [{ role: 'user', content: 'Say hi.' }, { role: 'assistant', content: 'Hi.' }] });
    expect(statSync(target).mode & 0o777).toBe(0o600);

    await expect(client.call('data.export', { versionId, path: dir, overwrite: true })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('is a folder') });
  });
});
