// Dataset names in the contract: a NUL byte and other control characters (C0, DEL, C1, line separators, bidirectional
// controls) are refused with a message naming the character; ordinary names in any script are kept.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetName, ImportInput, MixInput } from '../../../src-main/common/datasets';
import { NodeLauncher } from '../../../src-main/jobs/node-launcher';
import { createAppServices } from '../../../src-main/services/app-services';
import { createMemoryClient } from '../../../src-main/services/memory-transport';

const issues = (name: string) => {
  const r = DatasetName.safeParse(name);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('dataset names', () => {
  it.each([
    ['a\u0000b', '0000', 2], ['nul at end\u0000', '0000', 11], ['tab\tinside', '0009', 4], ['two\nlines', '000A', 4],
    ['esc\u001b[31mred', '001B', 4], ['del\u007f', '007F', 4], ['c1\u0085next', '0085', 3], ['line\u2028sep', '2028', 5],
    ['evil\u202Etxt.exe', '202E', 5], ['iso\u2066late', '2066', 4], ['😀\u0001', '0001', 2],
  ])('refuses %j, naming U+%s and where it is', (name, code, at) => {
    expect(issues(name)).toEqual([`a dataset name cannot contain control characters (U+${code} at character ${at})`]);
    expect(ImportInput.safeParse({ paths: ['x.jsonl'], name }).success).toBe(false);
    expect(MixInput.safeParse({ name, sources: [{ versionId: 'v', ratio: 1 }] }).success).toBe(false);
  });

  it('keeps ordinary names (any script, spaces, punctuation) and trims the ends', () => {
    for (const name of ['support', 'Support tickets (2024) v2', 'données-été', '日本語の会話', 'emoji 😀 set', 'a.b_c-d+e']) {
      expect(DatasetName.parse(name)).toBe(name);
    }
    expect(DatasetName.parse('  padded\t\n')).toBe('padded'); // whitespace at the ends is trimmed, not refused
    expect(issues('a@b')).toEqual(['a dataset name cannot contain @, / or \\']);
  });

  const home = mkdtempSync(join(tmpdir(), 'ftstudio-dataset-name-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('data.import refuses it as invalid input and imports nothing', async () => {
    const services = await createAppServices({
      home: join(home, 'home'), mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }),
      providers: { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] },
    });
    try {
      const client = createMemoryClient(services.handlers, services.hub);
      const file = join(home, 'd.jsonl');
      writeFileSync(file, `${JSON.stringify({ instruction: 'q', output: 'a' })}\n`);
      const err = await client.call('data.import', { paths: [file], name: 'bad\u0000name' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid-input' });
      expect((err as Error).message).toContain('a dataset name cannot contain control characters (U+0000 at character 4)');
      expect(await client.call('data.list', {})).toEqual([]);
    } finally {
      await services.close();
    }
  });
});
