// End-to-end harness: starts `ftstudio serve` on a temp data folder and Debian's Chromium through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '../..');
export const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
export const CHROMIUM = '/usr/bin/chromium';

/** Without Chromium a developer's run skips these tests; CI must run them. */
export function chromiumMissingReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} not found: install Debian's chromium to run the browser tests`;
  if (process.env.CI === 'true') throw new Error(`${reason} (required on CI).`);
  console.warn(`SKIPPING browser tests: ${reason}.`);
  return reason;
}

export interface ServeProcess { url: string; home: string; child: ChildProcess; stop(): Promise<void> }

/** A fresh data folder per server unless one is given (to restart the app on the same data). */
export async function startServe(existingHome?: string, keepHome = false): Promise<ServeProcess> {
  const home = existingHome ?? mkdtempSync(join(tmpdir(), 'ftstudio-e2e-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin/ftstudio.js'), 'serve', '--json', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, FTSTUDIO_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += d; });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += d;
      const match = out.match(/"url":\s*"([^"]+)"/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    home,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!keepHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records console errors and uncaught exceptions, so a test can assert the UI ran cleanly. */
export async function newRecordingPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage({ viewport });
  const consoleErrors: string[] = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  return { page, consoleErrors };
}
