// The Data wizard in a real browser against `ftstudio serve`: import (1 bad row skipped), analyse, inspect, clean (dedup + PII), restore, duplicate clusters, mix, export.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumMissingReason, launchChromium, newRecordingPage, startServe, type ServeProcess } from './harness';

const skip = chromiumMissingReason();
const row = (instruction: string, output: string) => JSON.stringify({ instruction, input: '', output });
/** 7 lines: two exact duplicates (lines 3 and 7), an email address (line 4), a line that is not JSON (line 5). */
const LINES = [
  row('What is 2+2?', '4'),
  row('Name a colour.', 'Blue'),
  row('What is 2+2?', '4'),
  row('How can I reach you?', 'Mail me at ada@example.com any time.'),
  '{"instruction": "broken", "output": ',
  row('Capital of France?', 'Paris'),
  row('Name a colour.', 'Blue'),
];

describe.skipIf(skip !== null)('Data wizard (serve + Chromium)', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let dir: string;
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `data-${name}.png`), fullPage: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ftstudio-data-e2e-'));
    writeFileSync(join(dir, 'train.jsonl'), `${LINES.join('\n')}\n`);
    serve = await startServe();
    browser = await launchChromium();
    ({ page, consoleErrors } = await newRecordingPage(browser, { width: 1280, height: 1000 }));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is a built step on Home and opens as “Data”', async () => {
    await page.goto(serve.url);
    const step = page.locator('[data-step="data"]');
    expect(await step.getByTestId('flow-step-status').count()).toBe(0);
    await step.getByTestId('open-data').click();
    await page.getByTestId('import-form').waitFor();
    expect(await page.title()).toBe('Data · Finetune Studio');
    await page.getByTestId('data-none').waitFor();
  });

  it('imports the file, skipping the bad line, and reports it with file:line', async () => {
    await page.getByTestId('import-paths').fill(join(dir, 'train.jsonl'));
    await page.getByTestId('import-name').fill('e2e-chats');
    await page.getByTestId('import-format').selectOption('alpaca');
    await page.getByTestId('import-skip-bad').check();
    await page.getByTestId('import-spdx').fill('CC-BY-4.0');
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-report').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('import-records').textContent()).toBe('6');
    expect(await page.getByTestId('import-skipped').textContent()).toBe('1');
    expect(await page.getByTestId('import-problems').textContent()).toMatch(/train\.jsonl(:5| line 5)/);
    await page.locator('[data-dataset="e2e-chats"]').waitFor();
    await shot('import');
  });

  it('analyses the imported version: record count, histograms and a language bar', async () => {
    await page.getByTestId('data-step-analyse').click();
    await page.getByTestId('analyse-run').click();
    await page.locator('[data-testid="analysis-summary"], [data-testid="analyse-error"]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('analyse-error').count()).toBe(0);
    expect(await page.getByTestId('analysis-records').textContent()).toBe('6');
    expect(await page.getByTestId('histogram').count()).toBe(3);
    const bars = page.getByTestId('language-bar');
    expect(await bars.count()).toBeGreaterThan(0);
    expect(await bars.first().textContent()).toMatch(/\d+%/);
    const counts = await bars.evaluateAll((els) => els.reduce((s, e) => s + Number(e.getAttribute('data-count')), 0));
    expect(counts).toBe(6);
    expect(await page.getByTestId('duplicate-clusters').count()).toBe(0);
    await shot('analyse');
  });

  it('inspects the records, searches them and opens one', async () => {
    await page.getByTestId('data-step-inspect').click();
    const table = page.getByTestId('record-table');
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 10_000 }).toBe('6');
    expect(await page.getByTestId('record-row').count()).toBe(6);
    await page.getByTestId('record-row').nth(3).click();
    expect(await page.getByTestId('record-detail').textContent()).toContain('ada@example.com');
    await shot('inspect');
    await page.getByTestId('record-search').fill('paris');
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 10_000 }).toBe('1');
    expect(await page.getByTestId('record-row').first().textContent()).toContain('Capital of France?');
  });

  it('builds a recipe with exact_dedup and pii_redact, previews it, runs it and sees 2 removed', async () => {
    await page.getByTestId('data-step-clean').click();
    for (const op of ['exact_dedup', 'pii_redact']) {
      await page.getByTestId('recipe-add-select').selectOption(op);
      await page.getByTestId('recipe-add').click();
    }
    expect(await page.getByTestId('recipe-step').count()).toBe(2);
    expect(await page.getByTestId('recipe-yaml').textContent()).toMatch(/op: exact_dedup[\s\S]*op: pii_redact/);
    const dedup = page.locator('[data-testid="recipe-step"][data-op="exact_dedup"]');
    await dedup.getByTestId('step-preview-button').click();
    await dedup.getByTestId('step-preview').waitFor({ timeout: 15_000 });
    expect(await dedup.getByTestId('preview-removed').textContent()).toBe('2');
    await shot('clean-recipe');

    await page.getByTestId('recipe-run').click();
    await page.getByTestId('clean-result').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('clean-removed').textContent()).toBe('2');
    expect(await page.getByTestId('clean-changed').textContent()).toBe('1');
    expect(await page.getByTestId('clean-records').textContent()).toBe('4');
    await page.getByTestId('changes-list').waitFor();
    await shot('clean-result');
  });

  it('restores one removed duplicate', async () => {
    await page.getByTestId('changes-filter').selectOption('exact_dedup');
    await expect.poll(() => page.locator('[data-testid="change-row"]:not([data-operator="exact_dedup"])').count()).toBe(0);
    const first = page.locator('[data-testid="change-row"][data-operator="exact_dedup"]').first();
    await first.getByTestId('change-restore').click();
    await first.getByTestId('change-restored').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('clean-records').textContent()).toBe('5');
    await shot('clean-restored');
  });

  it('browses the clean version’s duplicate clusters (one copy restored, one still removed)', async () => {
    await page.getByTestId('data-step-analyse').click();
    const clusters = page.getByTestId('duplicate-cluster');
    await expect.poll(() => clusters.count(), { timeout: 10_000 }).toBe(2);
    expect(await page.getByTestId('cluster-copies').allTextContents()).toEqual(['1 copy', '1 copy']);
    await clusters.first().locator('summary').first().click();
    await clusters.nth(1).locator('summary').first().click();
    expect(await page.getByTestId('copy-restored').count()).toBe(1);
    expect(await page.getByTestId('copy-restore').count()).toBe(1);
    await page.getByTestId('analyse-run').click();
    await page.getByTestId('analysis-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('analysis-records').textContent()).toBe('5');
    await shot('duplicates');
  });

  it('mixes the clean version with an eval split', async () => {
    await page.getByTestId('data-step-mix').click();
    await page.getByTestId('mix-name').fill('e2e-mix');
    await page.getByTestId('mix-eval').fill('20');
    await page.getByTestId('mix-submit').click();
    await page.locator('[data-testid="mix-result"], [data-testid="mix-error"]').first().waitFor({ timeout: 30_000 });
    await shot('mix');
    expect(await page.getByTestId('mix-error').count()).toBe(0);
    expect(await page.getByTestId('mix-result').textContent()).toContain('e2e-mix');
  });

  it('exports the clean version as OpenAI JSONL with a data card', async () => {
    await page.getByTestId('data-step-export').click();
    const out = join(dir, 'out', 'clean.jsonl');
    await page.getByTestId('export-format').selectOption('openai');
    await page.getByTestId('export-path').fill(out);
    await page.getByTestId('export-submit').click();
    await page.locator('[data-testid="export-result"], [data-testid="export-error"]').first().waitFor({ timeout: 30_000 });
    await shot('export');
    expect(await page.getByTestId('export-error').count()).toBe(0);
    const written = (await page.getByTestId('export-written').textContent())!.trim();
    expect(existsSync(written)).toBe(true);
    const lines = readFileSync(written, 'utf8').split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(5);
    expect(lines.join('\n')).not.toContain('ada@example.com');
    expect(existsSync((await page.getByTestId('export-card').textContent())!.trim())).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
