// The data card (README.md beside an exported dataset) writes what people and files gave as text: no raw HTML, no
// link that is not http(s), no Markdown link or table injection, and no absolute local path of a source file.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset, DatasetVersion } from '../../../../src-main/common/datasets';
import { dataCard, mdText, mdUrl, sourceNames, type CardFacts } from '../../../../src-main/data/export/data-card';
import { NodeLauncher } from '../../../../src-main/jobs/node-launcher';
import { createAppServices } from '../../../../src-main/services/app-services';
import { createMemoryClient } from '../../../../src-main/services/memory-transport';

const HOSTILE_DESCRIPTION = [
  '<script>alert(1)</script> Read [the docs](javascript:alert(2)) or ![x](javascript:alert(3)).',
  '[ref]: javascript:alert(4)',
  '<img src=x onerror=alert(5)> <javascript:alert(6)> &lt;already escaped&gt; <!-- comment -->',
].join('\n');

const version: DatasetVersion = {
  id: 'v1', datasetId: 'd1', version: 1, parentVersionId: null, kind: 'import', state: 'ready',
  recipe: null, recordCount: 2, createdAt: '2025-01-01T00:00:00.000Z', note: null,
};

function facts(over: { name?: string; description?: string | null; spdx?: string | null; sourceUrl?: string | null; files?: string[]; recipe?: string | null }): CardFacts {
  const v = { ...version, recipe: over.recipe ?? null };
  const dataset: Dataset = {
    id: 'd1', name: over.name ?? 'demo', description: over.description ?? null,
    license: { spdx: over.spdx ?? null, sourceUrl: over.sourceUrl ?? null, commercialUse: null },
    createdAt: version.createdAt, currentVersion: v, versions: [v],
  };
  const files = (over.files ?? []).map((file) => ({ file, sha256: 'ab'.repeat(32), format: 'alpaca', rows: 1, skipped: 0 }));
  return { dataset, version: v, lineage: [v], files, changes: [], exportFormat: 'openai', records: 2, exportedAt: '2025-01-02T00:00:00.000Z' };
}

/** Nothing in CARD that a Markdown renderer could turn into HTML or into a link other than http(s). */
function expectInert(card: string): void {
  expect(card).not.toMatch(/<(?!https?:\/\/)[^\s]/); // no tag, comment or autolink but an http(s) one
  expect(card).not.toMatch(/(?<!\\)\]\(/); // no inline link or image: every ] before ( is escaped
  expect(card).not.toMatch(/^ {0,3}(?<!\\)\[[^\]]*(?<!\\)\]:/m); // no link reference definition
}

describe('data card text', () => {
  it('escapes HTML and neutralizes Markdown links in the name, description and license', () => {
    const card = dataCard(facts({ name: 'x<b onmouseover=alert(1)>y</b>', description: HOSTILE_DESCRIPTION, spdx: '<img src=x onerror=alert(7)>' }));
    expectInert(card);
    expect(card).toContain('# x&lt;b onmouseover=alert(1)&gt;y&lt;/b&gt;');
    expect(card).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Read \\[the docs\\](javascript:alert(2)) or !\\[x\\](javascript:alert(3)).');
    expect(card).toContain('\\[ref\\]: javascript:alert(4)');
    expect(card).toContain('&amp;lt;already escaped&amp;gt; &lt;!-- comment --&gt;'); // shown as typed, not decoded
    expect(card).toContain('- License (SPDX): &lt;img src=x onerror=alert(7)&gt;');
    expect(card.split('\n')).toContain('\\[ref\\]: javascript:alert(4)'); // the description keeps its lines
  });

  it('links only http(s) source addresses and leaves any other scheme out', () => {
    for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)', 'file:///etc/passwd', 'not a url', '//evil.example/x']) {
      expect(mdUrl(bad)).toBeNull();
      const card = dataCard(facts({ sourceUrl: bad }));
      expect(card).toContain('- Source: left out (not an http or https address)');
      expect(card.toLowerCase()).not.toMatch(/javascript:|vbscript:|data:text|file:\/\//);
    }
    expect(dataCard(facts({ sourceUrl: 'https://huggingface.co/datasets/x/y' }))).toContain('- Source: <https://huggingface.co/datasets/x/y>');
    expect(mdUrl('https://example.com/a b"<script>')).toBe('<https://example.com/a%20b%22%3Cscript%3E>');
    expect(dataCard(facts({}))).toContain('- Source: unknown');
  });

  it('keeps a table row one row and a recipe inside its code block', () => {
    const card = dataCard(facts({ files: ['/data/a|b\n| injected | row |.jsonl'], recipe: 'steps: []\n```\n<script>alert(1)</script>\n```' }));
    const rows = card.split('\n').filter((l) => l.startsWith('| ') && l.includes('alpaca'));
    expect(rows).toEqual([`| a\\|b \\| injected \\| row \\|.jsonl | ${'ab'.repeat(32)} | alpaca | 1 | 0 |`]);
    expect(card).toContain('````yaml\nsteps: []\n```\n<script>alert(1)</script>\n```\n````'); // a longer fence: the recipe cannot close it
  });

  it('names source files without the folders they were read from', () => {
    expect([...sourceNames(['/home/alice/data/train.jsonl']).values()]).toEqual(['train.jsonl']);
    expect(Object.fromEntries(sourceNames(['/home/alice/raw/a/train.jsonl', '/home/alice/raw/b/train.jsonl', '/srv/x/eval.csv', 'C:\\Users\\bob\\more.jsonl'])))
      .toEqual({
        '/home/alice/raw/a/train.jsonl': 'a/train.jsonl', '/home/alice/raw/b/train.jsonl': 'b/train.jsonl',
        '/srv/x/eval.csv': 'eval.csv', 'C:\\Users\\bob\\more.jsonl': 'more.jsonl',
      });
    const card = dataCard(facts({ files: ['/home/alice/secret-project/train.jsonl'] }));
    expect(card).toContain('| train.jsonl |');
    expect(card).not.toContain('/home/alice');
    expect(mdText('a\nb')).toBe('a b');
  });
});

describe('data export writes that card', () => {
  const work = mkdtempSync(join(tmpdir(), 'ftstudio-data-card-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('from a dataset imported with hostile fields out of two folders', async () => {
    const services = await createAppServices({
      home: join(work, 'home'), mode: 'memory', launcher: new NodeLauncher({ stdio: 'ignore' }),
      providers: { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true }] },
    });
    try {
      const client = createMemoryClient(services.handlers, services.hub);
      const raw = join(work, 'raw');
      for (const sub of ['a', 'b']) {
        mkdirSync(join(raw, sub), { recursive: true });
        writeFileSync(join(raw, sub, 'train.jsonl'), `${JSON.stringify({ instruction: `q ${sub}`, output: 'a' })}\n`);
      }
      const { dataset } = await client.call('data.import', {
        paths: [raw], name: 'card<b onclick=alert(1)>test', description: HOSTILE_DESCRIPTION,
        license: { spdx: '<img src=x onerror=alert(7)>', sourceUrl: 'javascript:alert(1)', commercialUse: null },
      });
      const out = join(work, 'export', 'train.jsonl');
      const { cardPath } = await client.call('data.export', { versionId: dataset.currentVersion!.id, path: out });
      const card = readFileSync(cardPath, 'utf8').replace(/^<!-- written by Finetune Studio -->\n/, '');
      expectInert(card);
      expect(card).toContain('# card&lt;b onclick=alert(1)&gt;test\n');
      expect(card).not.toContain('javascript:alert(1)\n');
      expect(card).toContain('- Source: left out (not an http or https address)');
      expect(card).not.toContain(work); // no absolute local path
      expect(card).toMatch(/\| a\/train\.jsonl \| [0-9a-f]{64} \| alpaca \| 1 \| 0 \|/);
      expect(card).toMatch(/\| b\/train\.jsonl \| [0-9a-f]{64} \| alpaca \| 1 \| 0 \|/);
    } finally {
      await services.close();
    }
  });
});
