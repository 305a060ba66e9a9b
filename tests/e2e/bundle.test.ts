// The built bundles: a sandboxed preload may require nothing but 'electron'; main ships its engine entry and migrations.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness';

describe('electron-vite build output', () => {
  it('bundles the preload as one CommonJS file that requires only electron', () => {
    const preload = readFileSync(join(ROOT, 'out/preload/preload.cjs'), 'utf8');
    const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld');
  });

  it('builds main, the engine-process entry and copies the migrations', () => {
    for (const file of ['out/main/main.js', 'out/main/engine-host.js', 'out/main/engine-worker.js', 'out/renderer/index.html']) expect(existsSync(join(ROOT, file))).toBe(true);
    expect(readdirSync(join(ROOT, 'out/main/migrations'))).toEqual(readdirSync(join(ROOT, 'src-main/store/migrations')));
  });
});
