// `ftstudio train` does not hold the data folder's database for its whole run: another command can use it while the
// run trains, and the job's record (start, checkpoints, outcome) is in the store afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { homeLayout } from '../../../src-main/services/paths';
import { openStore } from '../../../src-main/store';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';
import { writeTokenRows } from './token-rows';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'bin/ftstudio.js');
const work = mkdtempSync(join(tmpdir(), 'ftstudio-train-lock-'));
const home = join(work, 'home');
const env = { ...process.env, FTSTUDIO_HOME: home };
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ftstudio train and the data folder', () => {
  it('leaves the database free while it trains, and journals the job', async () => {
    const model = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
    const data = writeTokenRows(join(work, 'train.jsonl'), 8, 5);
    const out = join(work, 'run');
    const train = spawn(process.execPath, [BIN, 'train', '--model', model, '--data', data, '--steps', '3000', '--save-every', '1000', '--threads', '1', '--out', out], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    train.stderr.on('data', (d) => { log += d; });
    const exited = new Promise<number | null>((r) => train.once('exit', r));
    await new Promise<void>((ready) => train.stdout.on('data', (d) => { log += d; if (/step \d+\/3000/.test(log)) ready(); }));

    const during = spawnSync(process.execPath, [BIN, 'data', 'list', '--json'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    const stillTraining = train.exitCode === null;
    expect(during.status, during.stderr).toBe(0);
    expect(JSON.parse(during.stdout)).toEqual([]);
    expect(stillTraining).toBe(true); // the command above really ran during the training

    expect(await exited, log).toBe(0);
    const store = await openStore(homeLayout(home).database);
    try {
      const [job] = await store.jobs.list();
      expect(job).toMatchObject({ kind: 'train', state: 'completed', runDir: out });
      const events = (await store.jobs.events(job.id)).map((e) => e.type);
      expect(events[0]).toBe('queued');
      expect(events).toEqual(expect.arrayContaining(['running', 'checkpoint', 'completed']));
    } finally {
      await store.close();
    }
  }, 180_000);
});
