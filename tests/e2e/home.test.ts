// Home in a real browser against `ftstudio serve`: the guided flow and this machine's real hardware.
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumMissingReason, launchChromium, newRecordingPage, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();

describe.skipIf(skip !== null)('Home (serve + Chromium)', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    serve = await startServe();
    browser = await launchChromium();
    ({ page, consoleErrors } = await newRecordingPage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it("shows the guided flow and this machine's real cores and RAM", async () => {
    await page.goto(serve.url);
    const card = page.getByTestId('hardware-card');
    await card.waitFor();
    // The provider probe takes a moment; wait for the real numbers rather than a loading state.
    await expect.poll(async () => (await page.getByTestId('hw-cores').textContent())?.trim(), { timeout: 30_000 })
      .toBe(String(os.cpus().length));
    const ramGiB = (os.totalmem() / 2 ** 30).toFixed(1);
    expect((await page.getByTestId('hw-ram').textContent())?.trim()).toContain(`${ramGiB} GiB`);
    await expect.poll(async () => page.getByTestId('hw-providers').textContent(), { timeout: 30_000 }).toMatch(/cpu/i);

    // The steps in the flow's own order (by their ids: a step's note may name another page, e.g. "set on the Train page").
    const order = await page.getByTestId('flow-steps').locator('[data-testid="flow-step"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    expect(order).toEqual(['data', 'adapter', 'precision', 'estimator', 'train']);
    await page.screenshot({ path: join(ARTIFACTS, 'home.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    // The access key left the address bar at once.
    expect(page.url()).not.toContain('token=');
  });

  it('without the access key the page connects to nothing and says which address to open', async () => {
    const { page: bare } = await newRecordingPage(browser);
    await bare.goto(`${new URL(serve.url).origin}/`);
    await expect.poll(async () => bare.locator('body').textContent(), { timeout: 15_000 }).toMatch(/without its access key.*ftstudio serve/s);
    await bare.screenshot({ path: join(ARTIFACTS, 'home-no-token.png') });
    await bare.close();
  });
});
