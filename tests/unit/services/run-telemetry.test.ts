// Reading telemetry.jsonl for the range chart: valid lines only, by kind, the last line per step wins, empty without a file;
// activation lines (per-site groups, per-tensor summaries) beside the older gradient/weight lines.
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
    expect(readRunTelemetry(dir, 'activation')).toEqual([]);
  });

  it('returns activation lines with their groups and per-tensor summaries; older lines parse unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftstudio-telemetry-'));
    const down = rangeSummary([new Float32Array([3, 500, 7e4])]); // 500 > E4M3's 448, 7e4 > fp16's 65504
    const norm = rangeSummary([new Float32Array([0.5, 2])]);
    const activation = {
      step: 2, kind: 'activation', ...rangeSummary([new Float32Array([3, 500, 7e4, 0.5, 2])]),
      groups: { down_proj_input: down, qkv_input: norm },
      tensors: { 'model.layers.0.mlp.down_proj.input': down, 'model.layers.0.input_layernorm.output': norm },
    };
    const older = line(2, 'grad', [1e-3]); // as written before activation telemetry: no tensors
    writeFileSync(join(dir, 'telemetry.jsonl'), [JSON.stringify(older), JSON.stringify(line(2, 'weight', [0.1])), JSON.stringify(activation)].join('\n'));
    expect(readRunTelemetry(dir).map((l) => `${l.step}:${l.kind}`)).toEqual(['2:activation', '2:grad', '2:weight']);
    expect(readRunTelemetry(dir, 'grad')[0]).toEqual(older);
    const [act] = readRunTelemetry(dir, 'activation');
    expect(act.count).toBe(5);
    expect(act.groups.down_proj_input?.shares.fp16.overflow).toBeCloseTo(1 / 3);
    expect(act.groups.down_proj_input?.shares.fp8e4m3.overflow).toBeCloseTo(2 / 3);
    expect(Object.keys(act.tensors ?? {})).toEqual(['model.layers.0.mlp.down_proj.input', 'model.layers.0.input_layernorm.output']);
    expect(act.tensors?.['model.layers.0.input_layernorm.output']).toEqual(norm);
  });
});
