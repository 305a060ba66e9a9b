// Benchmark (issue 4): import 1,000,000 Alpaca rows (~300 MB JSONL) into the store, then run an exact-dedup recipe
// over them. Targets: import ≤ 30 s with peak RSS ≤ 2 GB; exact dedup ≤ 5 s. Prints one JSON object.
//   npx tsx tests/bench/data-import.bench.ts [--rows N]
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportInput } from '../../src-main/common/datasets';
import { EventHub } from '../../src-main/services/api-dispatch';
import { dataHandlers } from '../../src-main/services/data/data-handlers';
import { exactDedupOperator } from '../../src-main/data/ops/exact-dedup';
import type { DataRecord, RecordDecider } from '../../src-main/data/ops/operator';
import { versionRecords } from '../../src-main/services/data/record-codec';
import { openStore } from '../../src-main/store';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ~300 bytes per row, like Alpaca: an instruction, sometimes an input, an answer; 3% exact repeats of a prompt. */
async function writeAlpaca(file: string, rows: number): Promise<void> {
  const rnd = random(7);
  const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}`);
  const sentence = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const out = createWriteStream(file);
  const prompts: string[] = [];
  for (let i = 0; i < rows; i++) {
    const instruction = prompts.length > 100 && rnd() < 0.03 ? prompts[Math.floor(rnd() * prompts.length)] : `Explain ${sentence(10)}.`;
    if (prompts.length < 10_000) prompts.push(instruction);
    const row = { instruction, input: rnd() < 0.3 ? sentence(8) : '', output: `${sentence(30)}.` };
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-bench-import-'));
try {
  const file = join(dir, 'alpaca.jsonl');
  await writeAlpaca(file, ROWS);
  const bytes = statSync(file).size;
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);

  const store = await openStore(join(dir, 'studio.duckdb'));
  const handlers = dataHandlers(() => store.datasets, new EventHub());
  let t = performance.now();
  const imported = await handlers['data.import'](ImportInput.parse({ paths: [file], name: 'bench' }));
  const importSeconds = (performance.now() - t) / 1000;
  const importPeakRss = peakRss;
  const versionId = imported.dataset.currentVersion!.id;

  // The operator alone over records already in memory, and the whole recipe run (read from DuckDB, write a version).
  const records: DataRecord[] = [];
  for await (const r of versionRecords(store.datasets, versionId)) records.push(r);
  t = performance.now();
  const decide = exactDedupOperator.create(exactDedupOperator.params.parse({}), {}) as RecordDecider;
  let removedByOperator = 0;
  for (const r of records) if (decide(r).action === 'remove') removedByOperator++;
  const operatorSeconds = (performance.now() - t) / 1000;
  records.length = 0;

  t = performance.now();
  const cleaned = await handlers['data.clean']({ versionId, recipe: { steps: [{ op: 'exact_dedup', params: {} }] } });
  const recipeSeconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  await store.close();
  console.log(JSON.stringify({
    rows: ROWS,
    fileMB: +(bytes / 1e6).toFixed(1),
    import: { seconds: +importSeconds.toFixed(2), rowsPerSecond: Math.round(ROWS / importSeconds), peakRssMB: Math.round(importPeakRss / 1e6), targetSeconds: 30, targetPeakRssMB: 2000 },
    exactDedup: {
      operatorSeconds: +operatorSeconds.toFixed(2), removed: removedByOperator, targetSeconds: 5,
      recipeRunSeconds: +recipeSeconds.toFixed(2), recipeRemoved: cleaned.steps[0].removed, keptRecords: cleaned.version.recordCount,
    },
    peakRssMB: Math.round(peakRss / 1e6),
  }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
