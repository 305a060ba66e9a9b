// Reads a run folder's telemetry.jsonl for the UI: valid lines only, the last one written per step and kind wins.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TelemetryLine, type TelemetryKindId } from '../common/precision/telemetry-line';

/**
 * Lines sorted by step (activation, grad, weight); a torn or foreign line is skipped; empty without a file. Files
 * written before activation telemetry simply have no activation lines.
 */
export function readRunTelemetry(runDir: string, kind?: TelemetryKindId): TelemetryLine[] {
  const file = join(runDir, 'telemetry.jsonl');
  if (!existsSync(file)) return [];
  const latest = new Map<string, TelemetryLine>();
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      continue;
    }
    const parsed = TelemetryLine.safeParse(raw);
    if (!parsed.success || (kind && parsed.data.kind !== kind)) continue;
    latest.set(`${parsed.data.step}:${parsed.data.kind}`, parsed.data); // a resumed run may write a step again
  }
  return [...latest.values()].sort((a, b) => a.step - b.step || a.kind.localeCompare(b.kind));
}
