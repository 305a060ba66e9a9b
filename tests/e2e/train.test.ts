// Train in a real browser: a LoRA run on a tiny Qwen3-shaped model with a real tokenizer and chat data, started from
// the form, watched live, and still there (chart included) after the server restarts on the same data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeCapitalsData, writeTinyChatModel } from '../fixtures/tiny-chat-model';
import { ARTIFACTS, chromiumMissingReason, launchChromium, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();

describe.skipIf(skip !== null)('Train (serve + Chromium)', () => {
  const work = mkdtempSync(join(tmpdir(), 'ftstudio-e2e-train-'));
  const home = join(work, 'home');
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('trains from the form with a live loss chart, and the run survives a restart', async () => {
    const model = writeTinyChatModel(join(work, 'model'));
    const data = writeCapitalsData(join(work, 'data'));
    serve = await startServe(home, true);
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    await page.goto(`${serve.url}#/train`);
    await page.getByTestId('train-model').fill(model);
    await page.getByTestId('train-data').fill(data.train);
    await page.getByTestId('train-eval-data').fill(data.eval);
    await page.getByTestId('train-rank').fill('4');
    await page.getByTestId('train-lr').fill('0.01');
    await page.getByTestId('train-steps').fill('40');
    await page.getByTestId('train-batch').fill('4');
    await page.locator('label:has-text("Evaluate every") input').fill('10');
    // The precision controls: fp16 shows loss scaling and the emulation note (screenshot), then back to fp32 for the run.
    await page.getByTestId('train-precision').selectOption('fp16');
    await page.getByTestId('train-loss-scale').waitFor();
    expect(await page.getByTestId('train-precision-emulated').textContent()).toContain('fp16 runs emulated');
    // Compute on: the CPU, and WebGPU disabled with its reason (this machine has no GPU adapter; onnxruntime-node
    // bundles the provider). The probe runs when the report is first asked for.
    await expect.poll(async () => page.getByTestId('train-provider').locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    const webgpu = page.getByTestId('train-provider').locator('option[value="webgpu"]');
    expect(await webgpu.isDisabled()).toBe(true);
    expect(await webgpu.textContent()).toMatch(/GPU through WebGPU — does not work here/);
    await page.getByTestId('train-precision-fields').screenshot({ path: join(ARTIFACTS, 'train-precision.png') });
    await page.getByTestId('train-precision').selectOption('fp32');
    await page.getByTestId('train-telemetry-every').fill('10'); // range telemetry: the gradient chart below
    await page.getByTestId('train-start').click();

    const run = page.getByTestId('train-run');
    await run.waitFor({ timeout: 60_000 });
    await expect.poll(async () => Number(await page.getByTestId('train-step').textContent()), { timeout: 60_000 }).toBeGreaterThan(5);
    await page.screenshot({ path: join(ARTIFACTS, 'train-running.png'), fullPage: true });
    await expect.poll(async () => run.getAttribute('data-state'), { timeout: 120_000 }).toBe('completed');
    expect(await page.getByTestId('train-step').textContent()).toBe('40');
    const firstLoss = Number(await page.getByTestId('train-loss').textContent());
    expect(Number(await page.getByTestId('train-eval-loss').textContent())).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="loss-chart"] canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'train-completed.png'), fullPage: true });
    // Range telemetry every 10 steps: the last step's gradient histogram against the formats' limits.
    await expect.poll(async () => page.getByTestId('train-range').getAttribute('data-step'), { timeout: 30_000 }).toBe('40');
    expect(await page.getByTestId('train-range-bar').count()).toBeGreaterThan(0);
    await page.getByTestId('train-range').screenshot({ path: join(ARTIFACTS, 'train-range.png') });

    // Restart the app on the same data folder: the run, its numbers and its chart come back from the run folder.
    await serve.stop();
    serve = await startServe(home, true);
    const again = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    await again.goto(`${serve.url}#/train`);
    await expect.poll(async () => again.getByTestId('train-run').getAttribute('data-state'), { timeout: 30_000 }).toBe('completed');
    await expect.poll(async () => again.getByTestId('train-step').textContent(), { timeout: 30_000 }).toBe('40');
    expect(Number(await again.getByTestId('train-loss').textContent())).toBe(firstLoss);
    await again.screenshot({ path: join(ARTIFACTS, 'train-after-restart.png'), fullPage: true });
  });
});
