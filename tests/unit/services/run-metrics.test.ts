// Reading metrics.jsonl for charts: numbers only, rows after a step, and a line torn by a crash is skipped.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunMetrics } from '../../../src-main/services/run-metrics';

describe('readRunMetrics', () => {
  it('keeps numeric fields, filters by step, skips torn lines, and is empty without a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftstudio-metrics-'));
    expect(readRunMetrics(dir)).toEqual([]);
    writeFileSync(join(dir, 'metrics.jsonl'), [
      JSON.stringify({ step: 1, loss: 2.5, lr: 0.001, note: 'x' }),
      JSON.stringify({ step: 2, loss: 2.1 }),
      JSON.stringify({ step: 2, eval_loss: 2.3 }),
      '{"step": 3, "loss": 1.',
    ].join('\n'));
    expect(readRunMetrics(dir)).toEqual([{ step: 1, loss: 2.5, lr: 0.001 }, { step: 2, loss: 2.1 }, { step: 2, eval_loss: 2.3 }]);
    expect(readRunMetrics(dir, 1)).toEqual([{ step: 2, loss: 2.1 }, { step: 2, eval_loss: 2.3 }]);
  });
});
