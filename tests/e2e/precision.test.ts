// The Precision page in a real browser against `ftstudio serve`: the number-format explorer (type a value, read the
// result) and a trial run on the tiny chat model (fp32 vs fp16 with and without loss scaling, emulated); screenshots.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeCapitalsData, writeTinyChatModel } from '../fixtures/tiny-chat-model';
import { ARTIFACTS, chromiumMissingReason, launchChromium, newRecordingPage, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();

describe.skipIf(skip !== null)('Precision explorer (serve + Chromium)', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'ftstudio-e2e-precision-'));

  beforeAll(async () => {
    serve = await startServe();
    browser = await launchChromium();
    ({ page, consoleErrors } = await newRecordingPage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    rmSync(work, { recursive: true, force: true });
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

  it('runs a trial on the tiny model: fp32, fp16 and fp16 with loss scaling, then says whether scaling is needed', async () => {
    const model = writeTinyChatModel(join(work, 'model'));
    const { train } = writeCapitalsData(join(work, 'data'));
    await page.goto(`${serve.url}#/precision`);
    const panel = page.getByTestId('dry-run');
    await panel.getByTestId('dry-run-model').fill(model);
    await panel.getByTestId('dry-run-data').fill(train);
    await panel.getByTestId('dry-run-steps').fill('10');
    await panel.getByTestId('dry-run-start').click();
    // The table appears with the first poll (a row per run, a progress bar while it trains).
    await panel.getByTestId('dry-run-table').waitFor({ timeout: 60_000 });
    expect(await panel.locator('tbody tr').count()).toBe(3);
    const verdict = panel.getByTestId('dry-run-verdict');
    await verdict.waitFor({ timeout: 150_000 });
    expect(await panel.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')))).toEqual(['completed', 'completed', 'completed']);
    expect(['needed', 'not-needed']).toContain(await verdict.getAttribute('data-status'));
    expect(await verdict.textContent()).toMatch(/fp32/);
    expect((await panel.getByTestId('dry-run-reference').getByTestId('dry-run-loss').textContent())?.trim()).toMatch(/^\d+\.\d{3} → \d+\.\d{3}$/);
    expect((await panel.getByTestId('dry-run-scaled').getByTestId('dry-run-scale').textContent())?.trim()).toMatch(/^[\d,]+$/);
    expect((await panel.getByTestId('dry-run-unscaled').getByTestId('dry-run-underflow').textContent())?.trim()).toMatch(/%$/);
    await page.locator('section.card', { has: panel }).screenshot({ path: join(ARTIFACTS, 'precision-dry-run.png') });
  }, 240_000);

  it('is reachable from Home’s Precision step, which is marked as built; the support card shows the probed kernels', async () => {
    await page.goto(serve.url);
    const step = page.locator('[data-step="precision"]');
    expect(await step.getByTestId('flow-step-status').count()).toBe(0);
    await step.getByTestId('open-precision').click();
    await page.getByTestId('precision-input').waitFor();
    const support = page.getByTestId('support-cpu');
    await support.waitFor({ timeout: 30_000 });
    await page.locator('section.card', { has: support }).screenshot({ path: join(ARTIFACTS, 'precision-support.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'precision-dark.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
