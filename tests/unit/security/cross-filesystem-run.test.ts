// `ftstudio train --out` on another filesystem than the model: the weights are copied (announced before and when it
// happens) and the run trains; and a run that fails before its first step leaves only error.json, so the same command
// can be run again.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';
import { writeTokenRows } from './token-rows';

const ROOT = resolve(__dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'ftstudio-xdev-run-'));
const SHM = '/dev/shm';
const otherFs = (() => {
  try {
    accessSync(SHM, constants.W_OK);
    return true;
  } catch {
    return false;
  }
})();
const shmWork = otherFs ? mkdtempSync(join(SHM, 'ftstudio-xdev-')) : '';
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (shmWork) rmSync(shmWork, { recursive: true, force: true });
});

const MODEL = writeTinyModel(join(work, 'model'), TINY_MODELS.find((m) => m.id === 'llama')!);
const DATA = writeTokenRows(join(work, 'train.jsonl'), 6, 3);

function train(model: string, out: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/ftstudio.js'), 'train', '--model', model, '--data', DATA, '--steps', '2', '--threads', '1', '--out', out],
    { cwd: ROOT, env: { ...process.env, FTSTUDIO_HOME: join(work, 'home') }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('run folders on another filesystem, and failures before step 1', () => {
  it.skipIf(!otherFs)('trains with the weights copied, saying so before and when it copies', () => {
    const out = join(shmWork, 'run');
    const r = train(MODEL, out);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/warning: .* is on another filesystem than the model's weights.*copies 1 weight file/);
    expect(r.out).toMatch(/copied .*model\.safetensors to .*graph\/model\.safetensors .*EXDEV/);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['adapter', 'metrics.jsonl', 'run.json']));
  });

  it('a run that fails in the engine before step 1 leaves only error.json, and the same command works once fixed', () => {
    // config.json promises a wider model than the weights hold: preparation passes, the engine's graph build fails.
    const broken = join(work, 'broken-model');
    writeTinyModel(broken, TINY_MODELS.find((m) => m.id === 'llama')!);
    const config = JSON.parse(readFileSync(join(broken, 'config.json'), 'utf8'));
    writeFileSync(join(broken, 'config.json'), JSON.stringify({ ...config, intermediate_size: config.intermediate_size * 2 }));
    const out = join(work, 'run-broken');
    const r = train(broken, out);
    expect(r.code).toBe(1);
    expect(readdirSync(out)).toEqual(['error.json']);
    expect(JSON.parse(readFileSync(join(out, 'error.json'), 'utf8')).error).toMatch(/\S/);
    writeFileSync(join(broken, 'config.json'), JSON.stringify(config));
    const again = train(broken, out);
    expect(again.code, again.out).toBe(0);
  });
});
