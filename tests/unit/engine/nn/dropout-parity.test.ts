// LoRA dropout parity: the train graph's loss and LoRA gradients equal plain PyTorch (PEFT semantics) given the same masks.
//
// The engine draws the masks in-graph and exposes them (BuildOptions.dropoutMasks); tests/reference/dropout_reference.py
// applies them as torch's dropout would (x·keep·1/(1−p)) in causal_lm_reference.py's Model. Tolerances as parity.test.ts:
// loss 1e-5 relative, gradients max|Δ| / max|ref| ≤ 1e-4 per tensor against float64.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTrainGraph, loraModules, type LoraConfig } from '../../../../src-main/engine/nn';
import { DROPOUT_MASK_PREFIX } from '../../../../src-main/engine/nn/dropout';
import { PYTHON, hasTorch, type RefResults } from '../../../reference/reference';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { int64Feed, relError, runBuilt } from './checkpoint';
import { adapterFeeds, makeBatch, prepare, randomAdapter, writeAdapter } from './fixtures';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../../reference/dropout_reference.py');
const P = 0.25;
const LORA_D: LoraConfig = { r: 4, alpha: 8, targets: 'all-linear', dropout: P };
const work = mkdtempSync(join(tmpdir(), 'nn-dropout-'));
const figures: Record<string, Record<string, number>> = {};
afterAll(() => {
  console.log(`dropout parity figures: ${JSON.stringify(figures)}`);
  rmSync(work, { recursive: true, force: true });
});

const seedFeeds = (seed: number, step: number) => ({
  lora_dropout_seed: { data: BigInt64Array.of(BigInt(seed)), dims: [] },
  lora_dropout_step: { data: BigInt64Array.of(BigInt(step)), dims: [] },
});

describe.skipIf(!hasTorch)('LoRA dropout parity with PyTorch given the same masks (skipped: no torch)', () => {
  it.each(['llama', 'qwen2', 'qwen3', 'llama-bf16'])('%s: loss and all-linear LoRA gradients with p = 0.25', async (id) => {
    const m = TINY_MODELS.find((t) => t.id === id) as (typeof TINY_MODELS)[number];
    const p = prepare(work, m);
    const batch = makeBatch(p.spec.vocabSize, 300 + m.seed);
    const adapter = randomAdapter(p.spec, LORA_D, 400 + m.seed);
    const adapterFile = join(work, id, 'adapter.safetensors');
    writeAdapter(adapterFile, p.spec, LORA_D, adapter);

    const built = buildTrainGraph(p.spec, p.weights, { lora: LORA_D, dropoutMasks: true });
    expect(built.dropout).toEqual({ seed: 'lora_dropout_seed', step: 'lora_dropout_step' });
    const out = await runBuilt(built, p.graphDir, {
      input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels), ...adapterFeeds(p.spec, LORA_D, adapter), ...seedFeeds(5, 17),
    });
    const masks: Record<string, number[]> = {};
    let dropped = 0;
    let total = 0;
    for (const mod of loraModules(p.spec, LORA_D)) {
      const t = out[`${DROPOUT_MASK_PREFIX}${mod.module}`];
      expect(t.dtype).toBe('bool');
      expect(t.dims).toEqual([2, 20, mod.inFeatures]);
      masks[mod.module] = Array.from(t.data as Uint8Array);
      dropped += masks[mod.module].reduce((a, b) => a + b, 0);
      total += t.data.length;
    }
    expect(Math.abs(dropped / total - P)).toBeLessThan(0.02); // ~40k draws: σ ≈ 0.002

    const job = join(work, id, 'dropout-job.json');
    const lora = { r: LORA_D.r, alpha: LORA_D.alpha, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], file: adapterFile, dropout: P };
    writeFileSync(job, JSON.stringify({ cases: [{ id, model_dir: p.modelDir, input_ids: batch.inputIds, labels: batch.labels, lora, masks }] }));
    const ref = (JSON.parse(execFileSync(PYTHON, [SCRIPT, job], { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' } })) as RefResults)[id].float64;
    if (!ref) throw new Error('no float64 reference');
    const loss = Number(out.loss.data[0]);
    const lossRel = Math.abs(loss - ref.loss) / Math.abs(ref.loss);
    expect(lossRel).toBeLessThanOrEqual(1e-5);
    let worst = 0;
    for (const name of built.paramNames) {
      const e = relError(out[`grad.${name}`].data as Float32Array, ref.grads[name]);
      expect(e, name).toBeLessThanOrEqual(1e-4);
      expect(Math.max(...ref.grads[name].map(Math.abs)), `${name} gradient is not trivially zero`).toBeGreaterThan(1e-4);
      worst = Math.max(worst, e);
    }
    // The masks matter: without dropout the same inputs give a different loss.
    const plain = await runBuilt(buildTrainGraph(p.spec, p.weights, { lora: { ...LORA_D, dropout: 0 } }), p.graphDir, {
      input_ids: int64Feed(batch.inputIds), labels: int64Feed(batch.labels), ...adapterFeeds(p.spec, LORA_D, adapter),
    }, 'plain.onnx');
    const shift = Math.abs(Number(plain.loss.data[0]) - loss) / loss;
    expect(shift).toBeGreaterThan(1e-4);
    figures[id] = { lossVsF64: lossRel, gradVsF64: worst, dropRate: dropped / total, draws: total, lossShiftVsNoDropout: shift };
  }, 60_000);
});
