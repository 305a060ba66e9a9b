// adapter.initCheck: an engine job evaluates the model folder without and with a fresh adapter; B = 0 must leave the
// loss bit-identical, and the control (B drawn like A) must move it — otherwise the check could not fail.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCheckResult, startInitCheck } from '../../../src-main/services/adapters/init-check';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';
import { makeHarness, type Harness } from '../jobs/helpers';

let h: Harness;
let modelDir: string;
beforeAll(async () => {
  h = await makeHarness();
  modelDir = writeTinyModel(join(h.dir, 'model'), TINY_MODELS.find((m) => m.id === 'qwen2')!);
});
afterAll(async () => h?.dispose());

describe('adapter.initCheck', () => {
  for (const variant of [{}, { use_rslora: true }, { use_dora: true }] as const) {
    it(`LoRA r 8 ${JSON.stringify(variant)}: step 0 equals the base model, and a non-zero B would not`, async () => {
      const job = await startInitCheck({ model: modelDir, rank: 8, alpha: 16, targets: 'all-linear', ...variant }, join(h.dir, 'runs'), h.supervisor);
      await h.supervisor.whenSettled(job.id);
      const status = await initCheckResult(job.id, h.supervisor);
      expect(status.state, status.reason ?? '').toBe('completed');
      const r = status.result!;
      console.log(`init check ${JSON.stringify(variant)}: base ${r.base_loss}, fresh adapter ${r.adapter_loss}, control ${r.control_loss}`);
      expect(r.tokens).toBeGreaterThan(1);
      // DoRA rescales by m/‖W‖ = 1, which one rounding may leave 1 ± 1 ulp; plain LoRA adds an exact zero.
      if ('use_dora' in variant) expect(r.abs_diff / r.base_loss).toBeLessThan(1e-6);
      else expect(r.identical).toBe(true);
      expect(Math.abs(r.control_loss - r.base_loss)).toBeGreaterThan(1e-3);
    }, 120_000);
  }

  it('refuses a catalog name or a folder without weights, naming it', async () => {
    await expect(startInitCheck({ model: join(h.dir, 'nowhere') }, join(h.dir, 'runs'), h.supervisor)).rejects.toThrow(/not a model folder/);
  });
});
