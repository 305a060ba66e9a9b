// A merge killed before its rename leaves OUT.partial-PID: the next merge into the same parent removes such folders
// whose process is gone (and says so in one line), never a live process's, never a folder that is not a merge's.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../../src-main/cli/commands/export';
import { readModelConfig } from '../../../src-main/models/hf/config';
import { mergeAdapter } from '../../../src-main/models/merge';
import { writeRandomAdapter } from '../../reference/export/random-adapter';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-merge-partials-'));
const base = join(work, 'base');
const adapterDir = join(work, 'adapter');
let live: ReturnType<typeof spawn>;

/** The pid of a process that has exited (what a killed export leaves in its folder's name). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

/** What a merge killed mid-copy leaves: some shards and side files of the base, under OUT.partial-PID. */
function killedMerge(parent: string, name: string, pid: number): string {
  const dir = join(parent, `${name}.partial-${pid}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(base, 'model.safetensors'), join(dir, 'model.safetensors'));
  copyFileSync(join(base, 'config.json'), join(dir, 'config.json'));
  return dir;
}

beforeAll(() => {
  writeTinyModel(base, TINY_MODELS.find((m) => m.id === 'llama')!);
  writeRandomAdapter(adapterDir, readModelConfig(base), { r: 2, alpha: 4, targets: ['q_proj'] }, 3);
  live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
});
afterAll(() => {
  live.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('stale partial folders of killed merges', () => {
  it('a later merge into the same parent removes those of dead processes only', async () => {
    const parent = join(work, 'exports');
    const dead = await deadPid();
    const staleSame = killedMerge(parent, 'merged', dead); // the killed export of this very folder
    const staleOther = killedMerge(parent, 'older', await deadPid()); // another killed export into the same parent
    const empty = join(parent, `empty.partial-${dead}`); // killed right after its mkdir
    mkdirSync(empty);
    const running = killedMerge(parent, 'running', live.pid!); // a merge still writing
    const foreign = join(parent, `photos.partial-${dead}`); // a folder of someone else's named like ours
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'holiday.jpg'), 'not a model');

    const summary = mergeAdapter({ baseDir: base, adapterDir, outDir: join(parent, 'merged') });
    expect(summary.removedPartials.map((r) => r.path).sort()).toEqual([empty, staleSame, staleOther].sort());
    expect(summary.removedPartials.find((r) => r.path === staleSame)).toMatchObject({ pid: dead, bytes: expect.any(Number) });
    expect(summary.removedPartials.find((r) => r.path === staleSame)!.bytes).toBeGreaterThan(1000);
    for (const gone of [staleSame, staleOther, empty]) expect(existsSync(gone)).toBe(false);
    expect(readdirSync(running).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(readdirSync(foreign)).toEqual(['holiday.jpg']);
    expect(readdirSync(join(parent, 'merged'))).toContain('model.safetensors');
  });

  it('ftstudio export says in one line what it removed', async () => {
    const parent = join(work, 'cli');
    const dead = await deadPid();
    const stale = killedMerge(parent, 'merged', dead);
    const out: string[] = [];
    const ctx = { json: false, stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    expect(await exportModel(ctx, { model: base, adapter: adapterDir, merged: join(parent, 'merged') })).toBe(0);
    const lines = out.join('\n').split('\n');
    const line = lines.filter((l) => l.startsWith('Removed'));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(new RegExp(`^Removed the unfinished folder of an earlier export that was killed \\(\\d+ kB\\): ${stale.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(process ${dead} is gone\\)$`));
    expect(existsSync(stale)).toBe(false);

    // Nothing stale: no such line.
    out.length = 0;
    expect(await exportModel(ctx, { model: base, adapter: adapterDir, merged: join(parent, 'again') })).toBe(0);
    expect(out.join('\n')).not.toMatch(/Removed/);
  });
});
