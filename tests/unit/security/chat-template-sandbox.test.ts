// Hostile chat templates (model folders are untrusted): each is stopped at the sandbox's time or memory limit with an
// error naming the template's file and the limit, while this process's event loop keeps answering HTTP.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src-main/data/formats';
import { tokenizeDataset } from '../../../src-main/data/tokenize';
import { ChatTemplateError, ChatTemplateSandbox, TEMPLATE_LIMITS } from '../../../src-main/models/chat-template-sandbox';
import { TextTokenizer } from '../../../src-main/models/tokenizer';
import { QWEN3_TOKENIZER_DIR } from '../../fixtures/tokenizers';

const HOSTILE = {
  'a huge range': '{% for i in range(100000000) %}x{% endfor %}',
  'nested loops': '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
  'deep recursion': `{{ ${'('.repeat(200_000)}1${')'.repeat(200_000)} }}`,
  'a growing list': '{% set ns = namespace(a=[1]) %}{% for i in range(64) %}{% set ns.a = ns.a + ns.a %}{% endfor %}{{ ns.a | length }}',
};

const root = mkdtempSync(join(tmpdir(), 'ftstudio-template-'));
let http: Server;
let port = 0;

beforeAll(async () => {
  http = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  port = (http.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => http.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

/** Polls GET / every 50 ms until `until` settles; returns the slowest answer in ms. */
async function slowestAnswerWhile(until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => { done = true; }).catch(() => {});
  let worst = 0;
  while (!done) {
    const t0 = performance.now();
    await (await fetch(`http://127.0.0.1:${port}/`)).text();
    worst = Math.max(worst, performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return worst;
}

describe('chat templates run in a sandbox', () => {
  it('stops every hostile template within the limits, naming the file and the limit, with HTTP answered throughout', async () => {
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const renders = Object.entries(HOSTILE).map(async ([name, source]) => {
      const sandbox = new ChatTemplateSandbox(source, `/models/${name}/tokenizer_config.json`);
      const started = performance.now();
      const err = await sandbox.render([{ messages: [] }]).then(() => null, (e: unknown) => e);
      return { name, err, ms: performance.now() - started };
    });
    const all = Promise.all(renders);
    const worstHttp = await slowestAnswerWhile(all);
    const results = await all;
    console.log(`hostile templates: ${results.map((r) => `${r.name} ${(r.ms / 1000).toFixed(2)} s (${(r.err as Error).message.replace(/^.*?: /, '')})`).join('; ')}; slowest GET / ${worstHttp.toFixed(1)} ms; rss +${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)} MB`);
    for (const { name, err, ms } of results) {
      expect(err, name).toBeInstanceOf(ChatTemplateError);
      expect((err as Error).message).toContain(`/models/${name}/tokenizer_config.json`);
      expect(ms).toBeLessThan(TEMPLATE_LIMITS.timeMs + 1_000);
    }
    const LIMIT = /was stopped: (rendering one conversation took more than 5 s|it used more than 256 MB of memory)/;
    expect((results[0].err as Error).message).toMatch(LIMIT);
    expect((results[1].err as Error).message).toMatch(/was stopped: rendering one conversation took more than 5 s/);
    expect((results[2].err as Error).message).toMatch(/call stack/);
    expect((results[3].err as Error).message).toMatch(LIMIT);
    expect(performance.now() - t0).toBeLessThan(TEMPLATE_LIMITS.timeMs + 2_000);
    expect(worstHttp).toBeLessThan(100);
  }, 30_000);

  it('says where a template with a syntax error is, and what is wrong', async () => {
    const sandbox = new ChatTemplateSandbox('{% for m in messages %}{{ m.content }}', '/models/broken/tokenizer_config.json');
    const err = await sandbox.render([{ messages: [] }]).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/^The chat template of \/models\/broken\/tokenizer_config.json is not valid Jinja: .+\.$/);
  });

  it('renders a real template exactly as in-process rendering does', async () => {
    const tok = TextTokenizer.fromFolder(QWEN3_TOKENIZER_DIR);
    const messages = [{ role: 'user' as const, content: 'Hi' }, { role: 'assistant' as const, content: 'Hello!' }];
    expect(await tok.renderChatSandboxed(messages, false)).toBe(tok.renderChat(messages, false));
    expect(await tok.encodeChatSandboxed(messages)).toEqual(tok.encodeChat(messages));
    await tok.close();
  });

  it('a training data file under a hostile template fails with the data file, its line and the template named', async () => {
    const model = join(root, 'hostile-model');
    rmSync(model, { recursive: true, force: true });
    mkdirSync(model);
    copyFileSync(join(QWEN3_TOKENIZER_DIR, 'tokenizer.json'), join(model, 'tokenizer.json'));
    const config = JSON.parse(readFileSync(join(QWEN3_TOKENIZER_DIR, 'tokenizer_config.json'), 'utf8'));
    writeFileSync(join(model, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: HOSTILE['a huge range'] }));
    const data = join(root, 'train.jsonl');
    writeFileSync(data, `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] })}\n`);
    const tok = TextTokenizer.fromFolder(model);
    const err = await tokenizeDataset(data, tok, { maxSeqLen: 64, vocabSize: 151_936 }).then(() => null, (e: unknown) => e as Error);
    await tok.close();
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toMatch(new RegExp(`^${data} line 1: The chat template of ${join(model, 'tokenizer_config.json')} was stopped: (rendering one conversation took more than 5 s \\(the time limit|it used more than 256 MB of memory \\(the memory limit) for a template\\)\\.$`));
  }, 15_000);
});
