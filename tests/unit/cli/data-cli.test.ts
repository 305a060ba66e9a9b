// `ftstudio data …` in-process on a temporary home: import → clean with a YAML recipe → changes → restore → export,
// the JSON outputs, and the usage errors (exit 2) and data errors (exit 1) a person meets.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main';

let dir = '';
const previousHome = process.env.FTSTUDIO_HOME;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftstudio-data-cli-'));
  process.env.FTSTUDIO_HOME = join(dir, 'home');
});
afterAll(() => {
  if (previousHome === undefined) delete process.env.FTSTUDIO_HOME;
  else process.env.FTSTUDIO_HOME = previousHome;
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('ftstudio data', () => {
  it('imports, cleans with a recipe file, restores and exports', async () => {
    const data = join(dir, 'chat.jsonl');
    writeFileSync(data, [
      { messages: [{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: '4' }] },
      { messages: [{ role: 'user', content: 'what is 2+2?' }, { role: 'assistant', content: 'Four.' }] },
      { messages: [{ role: 'user', content: 'Call +44 20 7946 0958' }, { role: 'assistant', content: 'Dialling.' }] },
    ].map((r) => JSON.stringify(r)).join('\n'));
    const imported = await run(['data', 'import', data, '--name', 'chat', '--license', 'MIT', '--commercial', 'yes', '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ report: { records: 3, files: [{ format: 'openai' }] }, dataset: { name: 'chat', license: { spdx: 'MIT', commercialUse: true } } });

    const recipe = join(dir, 'recipe.yaml');
    writeFileSync(recipe, 'steps:\n  - op: exact_dedup\n  - op: pii_redact\n    params:\n      mode: redact\n');
    const cleaned = await run(['data', 'clean', 'chat', '--recipe', recipe, '--json']);
    expect(cleaned.code).toBe(0);
    expect(JSON.parse(cleaned.stdout)).toMatchObject({ version: { version: 2, recordCount: 2 }, steps: [{ op: 'exact_dedup', removed: 1 }, { op: 'pii_redact', changed: 1 }] });

    const changes = JSON.parse((await run(['data', 'changes', 'chat@2', '--operator', 'exact_dedup', '--json'])).stdout);
    expect(changes.rows).toEqual([expect.objectContaining({ idx: 1, action: 'removed', duplicateOf: 0 })]);
    expect((await run(['data', 'restore', 'chat@2', '--operator', 'exact_dedup'])).stdout).toMatch(/Restored 1 record/);

    const out = join(dir, 'export', 'chat.jsonl');
    const exported = await run(['data', 'export', 'chat', '--out', out, '--to', 'openai']);
    expect(exported.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[2].messages[0].content).toBe('Call [PHONE]');
    expect(readFileSync(join(dir, 'export', 'README.md'), 'utf8')).toContain('License (SPDX): MIT');
  });

  it('explains usage mistakes and bad recipes', async () => {
    expect((await run(['data', 'import', join(dir, 'x.jsonl')])).stderr).toMatch(/--name is required/);
    expect((await run(['data', 'frob'])).code).toBe(2);
    const recipe = join(dir, 'bad.yaml');
    writeFileSync(recipe, 'steps:\n  - op: exact_dedup\n    params:\n      scope: everything\n');
    const bad = await run(['data', 'clean', 'chat', '--recipe', recipe]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml step 1 \(exact_dedup\): params\.scope/);
    expect((await run(['data', 'show', 'nope'])).stderr).toMatch(/No dataset named "nope"/);
  });
});
