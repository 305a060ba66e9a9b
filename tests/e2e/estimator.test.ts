// The estimator in a real browser against `ftstudio serve`: an out-of-memory setting, Apply on the first fix, the verdict
// changes; the alternatives advisor compares prompting, RAG, P-tuning, LoRA and full fine-tuning; "Measure this CPU"
// runs the calibrate engine job and the CPU estimate gets times.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumMissingReason, launchChromium, newRecordingPage, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();

describe.skipIf(skip !== null)('Estimator (serve + Chromium)', () => {
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

  const status = () => page.getByTestId('estimator-verdict').getAttribute('data-status');

  it('estimates the default run, then a 7B full fine-tune on a 24 GB GPU is out of memory', async () => {
    await page.goto(`${serve.url}#/estimator`);
    await page.getByTestId('estimator-verdict').waitFor({ timeout: 30_000 });
    expect(await page.title()).toBe('Estimator · Finetune Studio');
    await page.screenshot({ path: join(ARTIFACTS, 'estimator.png'), fullPage: true });

    await page.getByTestId('est-model').selectOption('Llama-2-7B');
    await page.getByTestId('est-device').selectOption('rtx-4090');
    await page.getByTestId('est-profile-peft').check();
    await page.getByTestId('est-precision').selectOption('bf16');
    await page.getByTestId('est-method-full').check();
    await expect.poll(status, { timeout: 10_000 }).toBe('oom');
    expect(await page.getByTestId('verdict-word').textContent()).toBe('Out of memory');
    expect(await page.getByTestId('verdict-text').textContent()).toMatch(/more than there is/);
    expect(await page.getByTestId('fix-0').getAttribute('data-kind')).toBe('lora');
    await page.screenshot({ path: join(ARTIFACTS, 'estimator-oom.png'), fullPage: true });
  });

  it('Apply on the first fix sets its settings and the verdict changes', async () => {
    await page.getByTestId('fix-0').getByTestId('fix-apply').click();
    await expect.poll(status, { timeout: 10_000 }).not.toBe('oom');
    expect(await page.getByTestId('est-method-lora').isChecked()).toBe(true);
    expect(await page.getByTestId('est-rank-value').textContent()).toBe('16');
    await page.getByTestId('memory-bar').screenshot({ path: join(ARTIFACTS, 'estimator-memory-bar.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'estimator-applied.png'), fullPage: true });
  });

  it('compares the alternatives: a corpus adds RAG, full fine-tuning is out of memory, the reasons say when each pays', async () => {
    const advisor = page.getByTestId('advisor');
    await advisor.scrollIntoViewIfNeeded();
    await page.getByTestId('advisor-capability').fill('Answer support questions in our product’s tone');
    await page.getByTestId('advisor-corpus').check();
    await page.getByTestId('alt-rag').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('alt-full').getAttribute('data-verdict')).toBe('oom');
    expect(await page.getByTestId('alt-lora').getAttribute('data-verdict')).not.toBe('oom');
    expect(await page.getByTestId('advisor-advice').textContent()).toMatch(/RAG brings it in at request time/);
    expect(await page.getByTestId('baseline-exact-match').textContent()).toMatch(/greedy decoding/);
    await advisor.screenshot({ path: join(ARTIFACTS, 'estimator-alternatives.png') });
  });

  it('on this CPU without a calibration: "Measure this CPU" runs the job, then GFLOP/s, when, and times appear', async () => {
    await page.goto(`${serve.url}#/estimator`);
    await page.reload(); // a fresh page: the default run on this computer's CPU
    await page.getByTestId('estimator-verdict').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('time-unknown').textContent()).toMatch(/needs a measurement/);
    await page.getByTestId('cpu-calibrate').click();
    await page.getByTestId('cpu-gflops').waitFor({ timeout: 60_000 });
    const gflops = Number((await page.getByTestId('cpu-gflops').textContent())!.replace(/[^0-9.]/g, ''));
    console.log(`e2e calibration: ${gflops} GFLOP/s; ${(await page.getByTestId('cpu-calibrated-when').textContent())?.trim()}`);
    expect(gflops).toBeGreaterThan(1);
    await page.getByTestId('time-total').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('time-total').textContent()).toMatch(/\d/);
    expect(await page.getByTestId('time-basis').getAttribute('data-basis')).toBe('cpu-benchmark');
    await page.getByTestId('estimator-time').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'estimator-calibrated.png'), fullPage: true });
  }, 90_000);

  it('is reachable from Home’s Estimator step, which is marked as built', async () => {
    await page.goto(serve.url);
    const step = page.locator('[data-step="estimator"]');
    expect(await step.getByTestId('flow-step-status').count()).toBe(0);
    await step.getByTestId('open-estimator').click();
    await page.getByTestId('estimator-verdict').waitFor();
    expect(consoleErrors).toEqual([]);
  });
});
