// The data API end to end on the real services and DuckDB: import (skipping a bad row), clean with a recipe,
// inspect the changes, restore, undo, export with a data card, mix with an eval split; and what a failure leaves.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../../src-main/common/contract';
import { NodeLauncher } from '../../../../src-main/jobs/node-launcher';
import { createAppServices, type AppServices } from '../../../../src-main/services/app-services';
import { createMemoryClient } from '../../../../src-main/services/memory-transport';

const providers = { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] };
const opened: AppServices[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-data-flow-'));
  dirs.push(dir);
  return dir;
}

async function open(home: string): Promise<ApiClient> {
  const services = await createAppServices({ home, mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }), providers });
  opened.push(services);
  return createMemoryClient(services.handlers, services.hub);
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rows = [
  { instruction: 'Write a haiku about the sea.', input: '', output: 'Waves fold into foam.' },
  { instruction: 'Email me at jane.doe@example.com about the plan.', input: '', output: 'I will write to jane.doe@example.com today.' },
  { instruction: 'write a  haiku about the SEA.', input: '', output: 'Salt wind, gull cries.' },
  { instruction: '把这句话翻译成英文：你好世界', input: '', output: 'Hello, world.' },
];

function writeData(dir: string): string {
  const file = join(dir, 'alpaca.jsonl');
  const lines = rows.map((r) => JSON.stringify(r));
  lines.splice(2, 0, '{"instruction": "broken", "output": }');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('data API', () => {
  it('imports, cleans, restores, undoes, exports and mixes without losing a record', async () => {
    const dir = tempDir();
    const client = await open(join(dir, 'home'));
    const file = writeData(dir);

    await expect(client.call('data.import', { paths: [file], name: 'strict' })).rejects.toThrow(/alpaca\.jsonl line 3, column \d+: invalid JSON/);
    expect(await client.call('data.list', {})).toEqual([]); // the failed import left nothing

    const progress: number[] = [];
    client.on('data.progress', (e) => progress.push(e.done));
    const { dataset, report } = await client.call('data.import', {
      paths: [file], name: 'demo', skipBadRows: true, taskId: 't1',
      license: { spdx: 'CC-BY-4.0', sourceUrl: 'https://example.com/demo', commercialUse: true },
    });
    expect(report).toMatchObject({ records: 4, skipped: 1, files: [{ rows: 4, skipped: 1, format: 'alpaca' }] });
    expect(report.problems[0]).toMatchObject({ line: 3 });
    expect(report.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(progress.length).toBeGreaterThan(0);
    const v1 = dataset.currentVersion!;
    expect(v1).toMatchObject({ version: 1, recordCount: 4, kind: 'import' });

    const page = await client.call('data.records', { versionId: v1.id, search: 'HAIKU' });
    expect(page.total).toBe(2);
    expect(page.rows[0]).toMatchObject({ idx: 0, sourceRow: 1, messages: [{ role: 'user' }, { role: 'assistant' }] });
    expect((await client.call('data.records', { versionId: v1.id, offset: 3, limit: 10 })).rows.map((r) => r.sourceRow)).toEqual([5]);
    // Filters beside the search: turns, system prompt, source file (and the sources a version has).
    expect((await client.call('data.records', { versionId: v1.id, filter: { minTurns: 2, hasSystem: false, sourceFile: file } })).total).toBe(4);
    expect((await client.call('data.records', { versionId: v1.id, filter: { minTurns: 3 } })).total).toBe(0);
    expect((await client.call('data.records', { versionId: v1.id, search: 'haiku', filter: { hasSystem: true } })).total).toBe(0);
    expect(await client.call('data.sources', { versionId: v1.id })).toEqual([{ source: file, count: 4 }]);

    const preview = await client.call('data.preview', { versionId: v1.id, step: { op: 'exact_dedup', params: {} } });
    expect(preview).toMatchObject({ examined: 4, removed: 1, kept: 3 });

    const recipe = { steps: [{ op: 'exact_dedup', params: {} }, { op: 'pii_redact', params: {} }] };
    const cleaned = await client.call('data.clean', { versionId: v1.id, recipe });
    expect(cleaned.steps).toEqual([{ step: 1, op: 'exact_dedup', removed: 1, changed: 0 }, { step: 2, op: 'pii_redact', removed: 0, changed: 1 }]);
    const v2 = cleaned.version;
    expect(v2).toMatchObject({ version: 2, recordCount: 3, kind: 'clean', parentVersionId: v1.id });
    expect(v2.recipe).toMatch(/op: exact_dedup/);
    const redacted = (await client.call('data.records', { versionId: v2.id })).rows.find((r) => r.idx === 1)!;
    expect(redacted.messages[0].content).toBe('Email me at [EMAIL] about the plan.');

    // Pages go by position: the clean version has no idx 2, so its third row is idx 3.
    expect((await client.call('data.records', { versionId: v2.id, offset: 2, limit: 5 })).rows.map((r) => r.idx)).toEqual([3]);
    const dups = await client.call('data.duplicates', { versionId: v2.id });
    expect(dups.total).toBe(1);
    expect(dups.clusters[0]).toMatchObject({ keptIdx: 0, copies: 1, kept: { messages: [{ content: 'Write a haiku about the sea.' }, {}] }, duplicates: [{ idx: 2, operator: 'exact_dedup' }] });
    const changes = await client.call('data.changes', { versionId: v2.id });
    expect(changes.total).toBe(2);
    const removal = changes.rows.find((c) => c.action === 'removed')!;
    expect(removal).toMatchObject({ idx: 2, operator: 'exact_dedup', duplicateOf: 0 });
    expect(removal.before.messages[0].content).toBe('write a  haiku about the SEA.');
    const change = changes.rows.find((c) => c.action === 'changed')!;
    expect(change.before.messages[0].content).toContain('jane.doe@example.com');

    const restored = await client.call('data.restore', { versionId: v2.id, idx: 2 });
    expect(restored.restored).toBe(1);
    expect(restored.dataset.currentVersion?.recordCount).toBe(4);
    expect((await client.call('data.analyze', { versionId: v2.id })).records).toBe(4); // not an analysis of before the restore
    const afterRestore = await client.call('data.records', { versionId: v2.id, offset: 1, limit: 2 });
    expect(afterRestore).toMatchObject({ total: 4, rows: [{ idx: 1 }, { idx: 2 }] }); // back in its place, not at the end
    expect((await client.call('data.records', { versionId: v2.id, search: 'haiku' })).total).toBe(2);
    await expect(client.call('data.restore', { versionId: v2.id, idx: 2 })).rejects.toMatchObject({ code: 'not-found' });
    expect((await client.call('data.changes', { versionId: v2.id, operator: 'exact_dedup' })).rows[0].restoredAt).not.toBeNull();

    const exportPath = join(dir, 'out', 'demo.jsonl');
    const exported = await client.call('data.export', { versionId: v2.id, path: exportPath, format: 'openai' });
    const lines = readFileSync(exportPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(exported.records).toBe(4);
    expect(lines).toHaveLength(4);
    expect(lines[1].messages[0]).toEqual({ role: 'user', content: 'Email me at [EMAIL] about the plan.' });
    const card = readFileSync(exported.cardPath, 'utf8');
    expect(card).toContain('CC-BY-4.0');
    expect(card).toMatch(/\| 1 \| exact_dedup \| 1 \| 0 \| 1 \|/);
    expect(card).toContain(report.files[0].sha256);
    await client.call('data.export', { versionId: v2.id, path: join(dir, 'out', 'alpaca.jsonl'), format: 'alpaca' });
    expect(JSON.parse(readFileSync(join(dir, 'out', 'alpaca.jsonl'), 'utf8').split('\n')[0])).toEqual({ instruction: 'Write a haiku about the sea.', input: '', output: 'Waves fold into foam.' });

    const analysis = await client.call('data.analyze', { versionId: v1.id });
    expect(analysis.records).toBe(4);
    expect(analysis.promptChars.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(analysis.languages.find((l) => l.language === 'zh')?.count).toBe(1);
    expect(await client.call('data.analyze', { versionId: v1.id })).toEqual(analysis); // kept in the store

    // A numeric column of the file (a rating) is kept as a score of the record, and a recipe can filter on it.
    const rated = join(dir, 'rated.jsonl');
    writeFileSync(rated, [3, 9, 6].map((rating, i) => JSON.stringify({ instruction: `q${i}`, output: `a${i}`, rating, id: i })).join('\n'));
    const ratedSet = (await client.call('data.import', { paths: [rated], name: 'rated' })).dataset;
    expect((await client.call('data.scores', { versionId: ratedSet.currentVersion!.id })).names).toEqual([{ name: 'rating', count: 3, min: 3, median: 6, max: 9 }]);
    const kept = await client.call('data.clean', { versionId: ratedSet.currentVersion!.id, recipe: { steps: [{ op: 'score_filter', params: { score: 'rating', min: 5 } }] } });
    expect(kept.version.recordCount).toBe(2);

    const undone = await client.call('data.undo', { versionId: v2.id });
    expect(undone.currentVersion?.id).toBe(v1.id);
    expect(undone.versions.find((v) => v.id === v2.id)?.state).toBe('undone');
    await expect(client.call('data.undo', { versionId: v1.id })).rejects.toMatchObject({ code: 'invalid-input' });

    const second = writeFileSync(join(dir, 'general.jsonl'), Array.from({ length: 10 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] })).join('\n'));
    void second;
    const general = (await client.call('data.import', { paths: [join(dir, 'general.jsonl')], name: 'general' })).dataset;
    const mixed = await client.call('data.mix', {
      name: 'mix', seed: 7, evalFraction: 0.25,
      sources: [{ versionId: v1.id, ratio: 0.5 }, { versionId: general.currentVersion!.id, ratio: 0.5 }],
    });
    // 4 records of demo bound the mix at 8: 4 + 4, a quarter of each source held out.
    expect(mixed.dataset.currentVersion?.recordCount).toBe(6);
    expect(mixed.eval?.currentVersion?.recordCount).toBe(2);
    const mixRows = (await client.call('data.records', { versionId: mixed.dataset.currentVersion!.id })).rows;
    expect(new Set(mixRows.map((r) => r.source))).toEqual(new Set(['demo@1', 'general@1']));
    const again = await client.call('data.mix', { name: 'mix2', seed: 7, evalFraction: 0.25, sources: [{ versionId: v1.id, ratio: 0.5 }, { versionId: general.currentVersion!.id, ratio: 0.5 }] });
    const againRows = (await client.call('data.records', { versionId: again.dataset.currentVersion!.id })).rows;
    expect(againRows.map((r) => r.messages[0].content)).toEqual(mixRows.map((r) => r.messages[0].content)); // same seed, same mix
    expect(mixed.dataset.license).toEqual({ spdx: 'CC-BY-4.0 AND unknown', sourceUrl: null, commercialUse: null });
  });

  it('rejects a bad recipe naming the step and field, and a cancelled import keeps nothing', async () => {
    const dir = tempDir();
    const client = await open(join(dir, 'home'));
    const { dataset } = await client.call('data.import', { paths: [writeData(dir)], name: 'demo', skipBadRows: true });
    const versionId = dataset.currentVersion!.id;
    await expect(client.call('data.clean', { versionId, recipe: { steps: [{ op: 'exact_dedup', params: {} }, { op: 'nope', params: {} }] } }))
      .rejects.toThrow(/recipe step 2: unknown operator "nope"/);
    await expect(client.call('data.clean', { versionId, recipe: { steps: [{ op: 'special_characters', params: { maxRatio: 'x' } }] } }))
      .rejects.toThrow(/recipe step 1 \(special_characters\): params\.maxRatio/);
    expect((await client.call('data.get', { name: 'demo' })).versions).toHaveLength(1);

    const big = join(dir, 'big.jsonl');
    writeFileSync(big, Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ text: `row ${i} `.repeat(5) })).join('\n'));
    // Cancel once the import reports progress (it is running then), not after a guessed delay.
    const started = new Promise<void>((resolve) => {
      const off = client.on('data.progress', (p) => { if (p.taskId === 'cancel-me') { off(); resolve(); } });
    });
    const running = client.call('data.import', { paths: [big], name: 'big', taskId: 'cancel-me' });
    await started;
    expect(await client.call('data.cancel', { taskId: 'cancel-me' })).toEqual({ cancelled: true });
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect((await client.call('data.list', {})).map((d) => d.name)).toEqual(['demo']);
    expect(existsSync(big)).toBe(true);
  });
});
