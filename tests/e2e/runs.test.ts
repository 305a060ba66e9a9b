// Runs in a real browser: start the engine self-test from the UI, watch it progress live, see it complete.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumMissingReason, launchChromium, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();

describe.skipIf(skip !== null)('Runs (serve + Chromium)', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    serve = await startServe();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('starts the self-test job, shows live progress, and ends completed', async () => {
    await page.goto(`${serve.url}#/runs`);
    await page.getByTestId('start-selftest').click();
    const row = page.getByTestId('job-row').first();
    await row.waitFor();
    // Progress arrives as events over the WebSocket while the engine process runs (20 steps × 100 ms).
    await expect.poll(async () => Number((await row.getByTestId('progress-percent').textContent())?.replace('%', '')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'runs-running-dark.png') });
    await expect.poll(async () => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('completed');
    expect((await row.getByTestId('progress-percent').textContent())?.trim()).toBe('100%');
    await page.screenshot({ path: join(ARTIFACTS, 'runs-completed-dark.png') });
  });
});
