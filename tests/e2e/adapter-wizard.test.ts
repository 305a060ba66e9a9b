// The Adapter wizard in a real browser against `ftstudio serve`: every method on a catalog model with its live totals
// (r 8 → 16 doubles LoRA), a screenshot per method, then a tiny model folder handed to Train, trained, found in the
// adapter library under Models, and evaluated there against its base model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeCapitalsData, writeTinyChatModel } from '../fixtures/tiny-chat-model';
import { ARTIFACTS, chromiumMissingReason, launchChromium, newRecordingPage, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();

describe.skipIf(skip !== null)('Adapter wizard (serve + Chromium)', () => {
  const work = mkdtempSync(join(tmpdir(), 'ftstudio-e2e-adapter-'));
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    serve = await startServe();
    browser = await launchChromium();
    ({ page, consoleErrors } = await newRecordingPage(browser, { width: 1360, height: 1000 }));
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const trainable = async () => Number(await page.getByTestId('adapter-trainable').getAttribute('data-value'));
  const fileBytes = async () => Number(await page.getByTestId('adapter-file').getAttribute('data-value'));
  async function choose(method: string): Promise<void> {
    await page.getByTestId('adapter-step-method').click();
    await page.getByTestId(`adapter-method-${method}`).click();
    await page.getByTestId('adapter-step-configure').click();
    await page.locator(`[data-method="${method}"]`).waitFor();
  }
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `adapter-${name}.png`), fullPage: true });

  it('reads the default catalog model and compares the methods', async () => {
    await page.goto(`${serve.url}#/adapter`);
    await expect.poll(async () => page.getByTestId('adapter-model-info').textContent()).toContain('Qwen2.5-0.5B');
    expect(await page.title()).toBe('Adapter · Finetune Studio');
    await shot('model');
    await page.getByTestId('adapter-step-method').click();
    await page.getByTestId('adapter-method-lora').waitFor();
    await shot('methods');
  });

  it('LoRA: rank 8 → 16 doubles the parameters and the file; the memory is estimated', async () => {
    await choose('lora');
    const r8 = await trainable();
    expect(r8).toBe(24 * 8 * (2 * 896 + 2 * (896 + 128) + 2 * 896 + 3 * (896 + 4864))); // Qwen2.5-0.5B: 4.40 M
    const file8 = await fileBytes();
    await page.getByTestId('adapter-rank-input').fill('16');
    await expect.poll(trainable).toBe(2 * r8);
    expect(await fileBytes()).toBe(2 * file8);
    expect(await page.getByTestId('adapter-scale').textContent()).toBe('1.00');
    await expect.poll(async () => page.getByTestId('adapter-memory-total').textContent(), { timeout: 15_000 }).toMatch(/GiB/);
    await page.getByTestId('adapter-init').locator('summary').click();
    await shot('lora');
  });

  it('LoRA+ counts as LoRA and shows its ratio; PLoRA exports rank stages · r', async () => {
    await choose('lora_plus');
    const lora8 = await trainable();
    await page.getByTestId('adapter-loraplus-ratio').waitFor();
    await shot('lora_plus');
    await choose('plora');
    expect(await trainable()).toBe(lora8);
    expect(await page.getByTestId('adapter-exported-rank').textContent()).toMatch(/^32 \(4 stages × r 8\)/);
    await page.getByTestId('adapter-stages').fill('2');
    await expect.poll(async () => page.getByTestId('adapter-exported-rank').textContent()).toMatch(/^16 /);
    expect(await fileBytes()).toBe(2 * lora8 * 4);
    await shot('plora');
  });

  it('P-tuning and prefix tuning: virtual tokens cost n·H (or n·L·2·kv); P-tuning’s memory is estimated, prefix tuning’s not yet', async () => {
    await choose('ptuning');
    await expect.poll(async () => page.getByTestId('adapter-memory-total').textContent(), { timeout: 15_000 }).toMatch(/GiB/);
    const n20 = await trainable();
    await page.getByTestId('adapter-virtual-tokens-input').fill('40');
    await expect.poll(trainable).toBe(n20 + 20 * 896);
    await shot('ptuning');
    await choose('prefix');
    expect(await page.getByTestId('adapter-memory-none').textContent()).toMatch(/Not estimated/);
    await page.getByTestId('adapter-encoder-none').check();
    await expect.poll(trainable).toBe(20 * 24 * 2 * 2 * 64); // n × L·2·nkv·hd
    await page.getByTestId('adapter-encoder-mlp').check();
    await shot('prefix');
  });

  it('full fine-tuning: every parameter, its own learning rate, the guards, and an EWC warning without data', async () => {
    await choose('full');
    expect(await page.getByTestId('adapter-share').textContent()).toMatch(/^100%/);
    expect(await page.getByTestId('adapter-lr').inputValue()).toBe('0.00001');
    await page.getByTestId('adapter-ewc').fill('1');
    await expect.poll(async () => page.getByTestId('adapter-warnings').textContent()).toMatch(/EWC needs data/);
    await page.getByTestId('adapter-ewc-data').fill('/data/general.jsonl');
    await expect.poll(async () => page.getByTestId('adapter-warnings').count()).toBe(0);
    await expect.poll(async () => page.getByTestId('adapter-memory-total').textContent(), { timeout: 15_000 }).toMatch(/GiB/);
    await shot('full');
  });

  it('hands a tiny model’s LoRA settings to Train, trains, lists the adapter under Models and evaluates it', async () => {
    const model = writeTinyChatModel(join(work, 'model'));
    const data = writeCapitalsData(join(work, 'data'));
    await page.getByTestId('adapter-step-model').click();
    await page.getByTestId('adapter-model').fill(model);
    await page.getByTestId('adapter-model-load').click();
    await expect.poll(async () => page.getByTestId('adapter-model-info').textContent()).toContain(model);
    await choose('lora');
    await page.getByTestId('adapter-preset-quick').click();
    await page.getByTestId('adapter-step-train').click();
    expect(await page.getByTestId('adapter-review-rank').textContent()).toBe('4');
    // The step-0 promise, measured on this model's weights by an init-check job.
    await page.getByTestId('adapter-init-check-run').click();
    const checked = page.getByTestId('adapter-init-check-result');
    await checked.waitFor({ timeout: 60_000 });
    expect(await checked.textContent()).toMatch(/identical, bit for bit/);
    await shot('review');
    await page.getByTestId('adapter-to-train').click();
    await page.getByTestId('train-from-adapter').waitFor();
    expect(await page.getByTestId('train-model').inputValue()).toBe(model);
    expect(await page.getByTestId('train-rank').inputValue()).toBe('4');
    await page.getByTestId('train-data').fill(data.train);
    await page.getByTestId('train-eval-data').fill(data.eval);
    await page.getByTestId('train-steps').fill('6');
    await page.getByTestId('train-lr').fill('0.01');
    await shot('train-filled');
    await page.getByTestId('train-start').click();
    const run = page.getByTestId('train-run');
    await run.waitFor({ timeout: 60_000 });
    await expect.poll(async () => run.getAttribute('data-state'), { timeout: 120_000 }).toMatch(/completed|failed/);
    expect(await run.getAttribute('data-state'), await run.textContent() ?? '').toBe('completed');

    await page.getByTestId('nav-models').click();
    const entry = page.getByTestId('adapter-entry').first();
    await entry.waitFor();
    expect(await entry.textContent()).toContain('LoRA · r 4');
    await expect.poll(async () => Number(await entry.getByTestId('adapter-entry-loss').textContent())).toBeGreaterThan(0);
    await entry.click();
    expect(await page.getByTestId('adapter-selected-path').inputValue()).toMatch(/adapter$/);
    await page.screenshot({ path: join(ARTIFACTS, 'adapter-library.png'), fullPage: true });

    // Evaluate it: the training data imported as a dataset in the Data wizard, then the base model and the base with
    // the adapter scored on the same 4 records.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('import-paths').fill(data.train);
    await page.getByTestId('import-name').fill('capitals');
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-report').waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-models').click();
    await page.getByTestId('adapter-entry').first().click();
    const panel = page.getByTestId('adapter-eval');
    await expect.poll(async () => panel.getByTestId('adapter-eval-dataset').textContent()).toContain('capitals');
    await panel.getByTestId('adapter-eval-limit').fill('4');
    await panel.getByTestId('adapter-eval-run').click();
    const base = panel.getByTestId('adapter-eval-base');
    const tuned = panel.getByTestId('adapter-eval-tuned');
    const states = async () => [await base.getAttribute('data-state'), await tuned.getAttribute('data-state')].join(' ');
    await expect.poll(states, { timeout: 120_000 }).toMatch(/^(completed|failed|cancelled|interrupted) (completed|failed|cancelled|interrupted)$/);
    expect(await states(), await panel.textContent() ?? '').toBe('completed completed');
    const baseLoss = Number(await base.getByTestId('adapter-eval-loss').textContent());
    const tunedLoss = Number(await tuned.getByTestId('adapter-eval-loss').textContent());
    expect(baseLoss).toBeGreaterThan(0);
    expect(tunedLoss).toBeGreaterThan(0);
    expect(tunedLoss).not.toBe(baseLoss);
    expect(await tuned.textContent()).toMatch(/4 \/ 4/);
    expect(await panel.getByTestId('adapter-eval-delta').textContent()).toMatch(/^[+−]\d+\.\d{3}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'adapter-library-eval.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
