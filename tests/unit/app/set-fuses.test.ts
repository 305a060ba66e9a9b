// scripts/set-fuses.mjs on a stand-in executable: a file holding the fuse sentinel and a V1 fuse wire, the way an
// Electron binary does (the real binary is not downloaded here, so this checks the script, not a packaged app).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'; // @electron/fuses' marker before the wire
const script = join(__dirname, '../../../scripts/set-fuses.mjs');
const base = mkdtempSync(join(tmpdir(), 'ftstudio-fuses-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** An "executable": junk, the sentinel, wire version 1, 10 fuses in `wire` ('1' on, '0' off), junk. */
function fakeBinary(dir: string, wire: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'finetune-studio');
  writeFileSync(file, Buffer.concat([Buffer.from('\x7fELF-junk'), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), Buffer.from('tail')]));
  return file;
}

function wireOf(file: string): string {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  return bytes.subarray(at + 2, at + 2 + bytes[at + 1]).toString();
}

const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

describe('set-fuses', () => {
  // Index: 0 RunAsNode, 1 CookieEncryption, 2 NODE_OPTIONS, 3 --inspect, 4 ASAR integrity, 5 only ASAR,
  // 6 browser V8 snapshot, 7 file:// extra privileges, 8-9 fuses this version of @electron/fuses does not name.
  const stock = '1011001111';

  it('turns off run-as-node, NODE_OPTIONS, --inspect and file:// privileges, turns on cookie encryption, leaves the rest', () => {
    const file = fakeBinary(join(base, 'plain'), stock);
    const result = run(file);
    expect(result.status, result.stderr).toBe(0);
    expect(wireOf(file)).toBe('0100001011');
    expect(result.stdout).toContain('RunAsNode: off');
    expect(result.stdout).toContain('EnableCookieEncryption: on');
    expect(result.stdout).not.toContain('OnlyLoadAppFromAsar');
  });

  it('turns on the ASAR fuses only with --asar, and only when resources/app.asar is there', () => {
    const file = fakeBinary(join(base, 'no-asar'), stock);
    const refused = run(file, '--asar');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('app.asar');
    expect(wireOf(file)).toBe(stock);

    const packaged = fakeBinary(join(base, 'asar'), stock);
    mkdirSync(join(base, 'asar', 'resources'));
    writeFileSync(join(base, 'asar', 'resources', 'app.asar'), 'asar');
    const result = run(packaged, '--asar');
    expect(result.status, result.stderr).toBe(0);
    expect(wireOf(packaged)).toBe('0100111011');
    expect(result.stdout).toContain('OnlyLoadAppFromAsar: on');
  });

  it('fails plainly on a file that is not an Electron binary, and on bad arguments', () => {
    const file = join(base, 'not-electron');
    writeFileSync(file, 'hello');
    expect(run(file).status).toBe(1);
    expect(run(file).stderr).toMatch(/sentinel/i);
    expect(run().status).toBe(2);
    expect(run(join(base, 'missing')).status).toBe(1);
  });
});
