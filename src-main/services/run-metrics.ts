// Reads a run folder's metrics.jsonl for the UI: numeric fields only, torn last lines (a crash mid-write) skipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type MetricsRow = { step: number } & Record<string, number>;

export function readRunMetrics(runDir: string, afterStep = 0): MetricsRow[] {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  const rows: MetricsRow[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof parsed.step !== 'number' || !Number.isInteger(parsed.step) || parsed.step <= afterStep) continue;
    const row: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'number' && Number.isFinite(v)) row[k] = v;
    rows.push(row as MetricsRow);
  }
  return rows;
}
