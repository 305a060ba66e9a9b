// The CLI and a running `ftstudio serve` on one data folder: data commands go through the server's API (found in the
// 0600 HOME/api-endpoint.json, with its token); a command that needs the database itself says in one sentence that
// another process holds it, and writes nothing; the endpoint file goes when the server stops.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointFile, readApiEndpoint } from '../../../src-main/services/api-endpoint';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'bin/ftstudio.js');
const work = mkdtempSync(join(tmpdir(), 'ftstudio-cli-server-'));
const home = join(work, 'home');
const env = { ...process.env, FTSTUDIO_HOME: home };
let server: ChildProcess;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  const renderer = join(work, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>x</title>');
  server = spawn(process.execPath, [BIN, 'serve', '--json', '--port', '0', '--renderer', renderer], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((ready, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('serve did not start in 60 s')), 60_000);
    server.stdout!.on('data', (d) => {
      out += d;
      if (/"url"/.test(out)) { clearTimeout(timer); ready(); }
    });
    server.once('exit', (code) => fail(new Error(`serve exited with ${code}`)));
  });
}, 70_000);

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('CLI beside a running server', () => {
  it('publishes its endpoint to this user only', () => {
    expect(statSync(endpointFile(home)).mode & 0o777).toBe(0o600);
    expect(readApiEndpoint(home)).toMatchObject({ pid: server.pid, token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it('data commands go through the server', () => {
    const file = join(work, 'rows.jsonl');
    writeFileSync(file, `${JSON.stringify({ instruction: 'Say hi.', input: '', output: 'Hi.' })}\n`);
    const imported = cli(['data', 'import', file, '--name', 'tiny']);
    expect(imported.code, imported.stderr).toBe(0);
    const listed = cli(['data', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tiny' })]));
  });

  it('train says in one sentence that the folder is in use, and writes nothing', () => {
    const out = join(work, 'run');
    const r = cli(['train', '--model', join(work, 'no-model'), '--data', join(work, 'rows.jsonl'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^ftstudio: ftstudio train cannot run now: another Finetune Studio process \\(PID ${server.pid}: .*\\) has the data folder ${home} open, .*\\.$`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/IO Error|Conflicting lock/);
    expect(existsSync(out)).toBe(false);
  });

  it('removes the endpoint when the server stops', async () => {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
    expect(existsSync(endpointFile(home))).toBe(false);
    const listed = cli(['data', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0); // the database is free again, read directly
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tiny' })]));
  });
});
