// The engine entry on its own: how it is found (source or bundle), and over a real fork that it validates what it receives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ToEngine } from '../../../src-main/common/engine-protocol';
import { NodeLauncher, resolveEngineEntry } from '../../../src-main/jobs/node-launcher';

describe('engine host', () => {
  it('resolves the TypeScript entry through tsx when no bundle sits beside the caller', () => {
    const entry = resolveEngineEntry();
    expect(entry.path).toMatch(/src-main[\\/]engine[\\/]host\.ts$/);
    expect(entry.execArgv[0]).toBe('--import');
    expect(entry.execArgv[1]).toMatch(/^file:.*tsx/);
  });

  it('prefers a built engine-host.js beside the calling bundle (or one folder up, from a chunk)', () => {
    const out = mkdtempSync(join(tmpdir(), 'ftstudio-bundle-'));
    try {
      const caller = (file: string) => pathToFileURL(join(out, file)).href;
      expect(() => resolveEngineEntry(caller('main.js'))).toThrow(/engine entry/);
      writeFileSync(join(out, 'engine-host.js'), '');
      mkdirSync(join(out, 'chunks'));
      expect(resolveEngineEntry(caller('main.js'))).toEqual({ path: join(out, 'engine-host.js'), execArgv: [] });
      expect(resolveEngineEntry(caller('chunks/supervisor-x1.js'))).toEqual({ path: join(out, 'engine-host.js'), execArgv: [] });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('beats, ignores invalid messages with a warning, and exits 0 after a cancel before any start', async () => {
    const proc = new NodeLauncher().launch();
    const seen: { type: string; level?: string }[] = [];
    const exited = new Promise<[number | null, string | null]>((done) => proc.onExit((code, signal) => done([code, signal])));
    proc.onMessage((msg) => seen.push(msg as { type: string }));
    proc.send({ type: 'bogus' } as unknown as ToEngine);
    proc.send({ type: 'cancel' });
    expect(await exited).toEqual([0, null]);
    expect(seen.map((m) => m.type)).toEqual(['heartbeat', 'log', 'cancelled']);
    expect(seen[1].level).toBe('warn');
  });
});
