// The number-format explorer in a real browser against `ftstudio serve`: type a value, read the result, screenshots.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumMissingReason, launchChromium, newRecordingPage, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();

describe.skipIf(skip !== null)('Precision explorer (serve + Chromium)', () => {
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

  it('shows 65520 overflowing fp16 but not bf16, and 1.0’s fp16 bits', async () => {
    await page.goto(`${serve.url}#/precision`);
    const input = page.getByTestId('precision-input');
    await input.waitFor();
    await input.fill('65520');
    const fp16 = page.getByTestId('conv-fp16');
    await expect.poll(() => fp16.getAttribute('data-outcome')).toBe('overflow');
    expect((await fp16.getByTestId('conv-value').textContent())?.trim()).toBe('+∞');
    expect((await page.getByTestId('conv-bf16').getByTestId('conv-value').textContent())?.trim()).toBe('65536');
    expect(await page.title()).toBe('Precision · Finetune Studio');
    await page.screenshot({ path: join(ARTIFACTS, 'precision.png'), fullPage: true });

    await input.fill('1');
    await expect.poll(() => fp16.getByTestId('bit-cells').getAttribute('aria-label'))
      .toBe('fp16 bits: sign 0, exponent 01111, mantissa 0000000000');
    await page.getByTestId('conversions').screenshot({ path: join(ARTIFACTS, 'precision-bits.png') });
  });

  it('compares FP8 and INT8 on the sample as the scale moves', async () => {
    await page.getByTestId('fit-int8').click();
    const clipped = page.getByTestId('quant-int8').getByTestId('quant-clipped');
    await expect.poll(async () => (await clipped.textContent())?.trim()).toBe('0');
    await page.getByTestId('quant-outliers').check();
    await page.getByTestId('fit-fp8e4m3').click();
    await expect.poll(async () => Number((await clipped.textContent())?.trim())).toBeGreaterThan(0);
    await page.getByTestId('quant-compare').screenshot({ path: join(ARTIFACTS, 'precision-fp8-int8.png') });
  });

  it('is reachable from Home’s Precision step, marked as lacking only the trial run', async () => {
    await page.goto(serve.url);
    const step = page.locator('[data-step="precision"]');
    expect((await step.getByTestId('flow-step-status').textContent())?.trim()).toBe('No dry run yet');
    await step.getByTestId('open-precision').click();
    await page.getByTestId('precision-input').waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'precision-dark.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
