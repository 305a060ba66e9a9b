// Reading telemetry.jsonl for the range chart: valid lines only, by kind, the last line per step wins, empty without a file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rangeSummary } from '../../../src-main/common/precision/range-telemetry';
import { readRunTelemetry } from '../../../src-main/services/run-telemetry';

const line = (step: number, kind: 'grad' | 'weight', values: number[]) => ({
  step, kind, ...rangeSummary([new Float32Array(values)]), groups: { lora_A: rangeSummary([new Float32Array(values)]) },
});

describe('readRunTelemetry', () => {
  it('parses lines, filters by kind, keeps the latest per step, skips torn lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftstudio-telemetry-'));
    expect(readRunTelemetry(dir)).toEqual([]);
    writeFileSync(join(dir, 'telemetry.jsonl'), [
      JSON.stringify(line(1, 'grad', [1e-9, 0.5])),
      JSON.stringify(line(1, 'weight', [0.01, 0.02])),
      JSON.stringify(line(2, 'grad', [1e-3])),
      JSON.stringify(line(2, 'grad', [1e-6, 7e4])), // written again after a resume: this one wins
      JSON.stringify({ step: 3, kind: 'grad' }),
      '{"step": 4, "kind": "gr',
    ].join('\n'));
    const all = readRunTelemetry(dir);
    expect(all.map((l) => `${l.step}:${l.kind}`)).toEqual(['1:grad', '1:weight', '2:grad']);
    const grads = readRunTelemetry(dir, 'grad');
    expect(grads.map((l) => l.step)).toEqual([1, 2]);
    expect(grads[0].bins.from).toBe(-40);
    expect(grads[0].bins.counts).toHaveLength(61);
    expect(grads[0].shares.fp16.underflow).toBe(0.5); // 1e-9 is below fp16's 2^-25 flush threshold
    expect(grads[0].groups.lora_A?.count).toBe(2);
    expect(grads[1].count).toBe(2);
    expect(grads[1].shares.fp16.overflow).toBe(0.5); // 7e4 > 65504
    expect(readRunTelemetry(dir, 'weight').map((l) => l.step)).toEqual([1]);
  });
});
