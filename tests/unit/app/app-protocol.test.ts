// The app:// scheme: files of the renderer folder with their types, and a 404 for anything that would leave it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, handleAppRequest, lookupAppFile } from '../../../src-main/app/app-protocol';
import { resolveContainedStaticPath } from '../../../src-main/server/static-files';

const base = mkdtempSync(join(tmpdir(), 'ftstudio-app-protocol-'));
const root = join(base, 'renderer');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
writeFileSync(join(root, 'assets', 'blob.bin'), 'bytes');
writeFileSync(join(base, 'secret.txt'), 'outside');
mkdirSync(join(base, 'elsewhere'));
writeFileSync(join(base, 'elsewhere', 'secret.txt'), 'outside too');
const symlinks = process.platform !== 'win32';
if (symlinks) {
  symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt')); // a file link out of the folder
  symlinkSync(join(base, 'elsewhere'), join(root, 'linked')); // a folder link out of the folder
  symlinkSync(join(root, 'assets', 'index-abc.js'), join(root, 'alias.js')); // a link that stays inside
}
afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handleAppRequest(root, new Request(url, { method }));

describe('app:// protocol', () => {
  it('is registered as a standard, secure scheme that other origins cannot read and the CSP still governs', () => {
    expect(APP_INDEX_URL).toBe('app://renderer/index.html');
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });

  it('serves the files inside the renderer folder with their content types', async () => {
    const page = await get(APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toBe('<!doctype html><title>app</title>');
    expect(await (await get('app://renderer/')).text()).toContain('<title>app</title>');
    expect(await (await get('app://renderer/index.html?v=1#/runs')).text()).toContain('<title>app</title>');
    const types: Record<string, string> = {
      'assets/index-abc.js': 'text/javascript; charset=utf-8',
      'assets/index-abc.css': 'text/css; charset=utf-8',
      'assets/logo.svg': 'image/svg+xml',
      'assets/blob.bin': 'application/octet-stream',
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await get(`app://renderer/${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
    }
    expect(await (await get('app://renderer/assets/index-abc.js')).text()).toBe('console.log(1)');
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 for a missing file and for folders (no listing)', async () => {
    const missing = await get('app://renderer/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await missing.text()).toBe('Not found');
    for (const url of ['app://renderer/assets', 'app://renderer/assets/', 'app://renderer//']) {
      expect((await get(url)).status, url).toBe(404);
    }
  });

  it('refuses traversal, encoded traversal and absolute paths', async () => {
    const secret = join(base, 'secret.txt');
    const urls = [
      'app://renderer/../secret.txt',
      'app://renderer/%2e%2e/secret.txt',
      'app://renderer/%2E%2E%2Fsecret.txt',
      'app://renderer/..%2fsecret.txt',
      'app://renderer/assets/..%2f..%2fsecret.txt',
      'app://renderer/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://renderer/..%5csecret.txt',
      'app://renderer/%252e%252e/secret.txt',
      'app://renderer/index.html%00.js',
      `app://renderer/${encodeURIComponent(secret)}`,
      `app://renderer/${secret}`,
      'app://renderer//etc/passwd',
      'app://renderer/%E0%A4%A', // not decodable
    ];
    for (const url of urls) {
      expect((await get(url)).status, url).toBe(404);
      expect(lookupAppFile(root, 'GET', url), url).toEqual({ status: 404 });
    }
    expect(resolveContainedStaticPath(root, secret)).toBeNull();
    expect(resolveContainedStaticPath(root, '/../secret.txt')).toBeNull();
  });

  it.skipIf(!symlinks)('refuses symlinks that leave the folder and follows those that stay inside', async () => {
    expect((await get('app://renderer/leak.txt')).status).toBe(404);
    expect((await get('app://renderer/linked/secret.txt')).status).toBe(404);
    const alias = await get('app://renderer/alias.js');
    expect(alias.status).toBe(200);
    expect(await alias.text()).toBe('console.log(1)');
  });

  it('serves only its own host, GET and HEAD', async () => {
    for (const url of ['app://evil/index.html', 'app://renderer:8080/index.html', 'app://user@renderer/index.html', 'file:///index.html', 'http://renderer/index.html']) {
      expect(lookupAppFile(root, 'GET', url), url).toEqual({ status: 404 });
    }
    expect(lookupAppFile(root, 'GET', 'not a url')).toEqual({ status: 404 });
    const post = await get(APP_INDEX_URL, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
