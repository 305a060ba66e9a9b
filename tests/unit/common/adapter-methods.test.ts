// The Adapter wizard's counts on a small model, computed by hand in the comments; defaults, presets, warnings, Train keys.
import { describe, expect, it } from 'vitest';
import {
  adapterSummary, adapterWarnings, effectiveScale, fromTrainInput, loraTargetCounts, methodDefaults, modelParamCount,
  PRESET_NAMES, presetSettings, toTrainInput, type AdapterSettings,
} from '../../../src-main/common/adapter-methods';
import { TRAIN_METHODS, TrainStartInput } from '../../../src-main/common/train';
import { SMALL } from './small-spec';

const settings = (method: AdapterSettings['method'], over: Partial<AdapterSettings> = {}): AdapterSettings => ({ ...methodDefaults(method), ...over });

describe('parameter counts on the small model', () => {
  it('counts the model: 2 × 36 864 projections + 16 384 lm_head + 16 384 embedding + 2 × 128 norms + 64 final norm', () => {
    // per layer: 4096 (q) + 2048 + 2048 (k, v) + 4096 (o) + 3 × 8192 (gate, up, down) = 36 864
    expect(modelParamCount(SMALL)).toBe(2 * 36864 + 16384 + 16384 + 2 * 128 + 64); // 106 816
    expect(modelParamCount({ ...SMALL, tieWordEmbeddings: true })).toBe(106816 - 16384);
  });

  it('counts LoRA per module type: r·(in + out), × L; DoRA adds out', () => {
    const counts = Object.fromEntries(loraTargetCounts(SMALL, 8, false).map((c) => [c.target, c.perModule]));
    // q 8·128, k 8·96, v 8·96, o 8·128, gate/up/down 8·192
    expect(counts).toEqual({ q_proj: 1024, k_proj: 768, v_proj: 768, o_proj: 1024, gate_proj: 1536, up_proj: 1536, down_proj: 1536 });
    const lora = adapterSummary(SMALL, settings('lora'));
    expect(lora.trainable).toBe(2 * 8192); // per layer 1024 + 768 + 768 + 1024 + 3 × 1536 = 8192
    expect(lora.fileBytes).toBe(16384 * 4);
    expect(lora.share).toBeCloseTo(16384 / 106816, 12);
    // DoRA: + out per module = 64 + 32 + 32 + 64 + 128 + 128 + 64 = 512 per layer
    expect(adapterSummary(SMALL, settings('lora', { useDora: true })).trainable).toBe(16384 + 2 * 512);
    // q and v only: (1024 + 768) × 2
    expect(adapterSummary(SMALL, settings('lora', { targets: ['q_proj', 'v_proj'] })).trainable).toBe(3584);
  });

  it('doubles LoRA’s parameters from rank 8 to 16; LoRA+ counts as LoRA', () => {
    expect(adapterSummary(SMALL, settings('lora', { rank: 16 })).trainable).toBe(2 * 16384);
    expect(adapterSummary(SMALL, settings('lora_plus'))).toEqual(adapterSummary(SMALL, settings('lora')));
  });

  it('PLoRA trains one stage’s LoRA and exports rank stages·r', () => {
    const s = adapterSummary(SMALL, settings('plora', { stages: 3 }));
    expect(s).toMatchObject({ trainable: 16384, saved: 3 * 16384, exportedRank: 24, fileBytes: 3 * 16384 * 4 });
  });

  it('counts P-tuning’s embedding and PEFT’s prompt encoders', () => {
    // n·H = 10·64 = 640. MLP h 16: Linear(64,16) 1040 + Linear(16,16) 272 + Linear(16,64) 1088 = 2400.
    const mlp = adapterSummary(SMALL, settings('ptuning', { virtualTokens: 10, encoder: 'mlp', encoderHidden: 16 }));
    expect(mlp.trainable).toBe(640 + 2400);
    expect(mlp.fileBytes).toBe((3040 + 640) * 4); // + the saved prompt_embeddings n × H
    // LSTM h 16: layer 1 2·4·(64·16 + 16·16 + 32) = 10 496; layer 2 (input 2h = 32) 2·4·(512 + 256 + 32) = 6400;
    // head Linear(32,32) 1056 + Linear(32,64) 2112.
    expect(adapterSummary(SMALL, settings('ptuning', { virtualTokens: 10, encoder: 'lstm', encoderHidden: 16 })).trainable).toBe(640 + 10496 + 6400 + 1056 + 2112);
    const none = adapterSummary(SMALL, settings('ptuning', { virtualTokens: 10, encoder: 'none' }));
    expect(none).toMatchObject({ trainable: 640, fileBytes: 2 * 640 * 4 }); // prompt_embeddings + the table in the encoder file
  });

  it('counts prefix tuning: n × L·2·kvdim, or the projection', () => {
    // kv = L·2·nkv·hd = 2·2·32 = 128
    expect(adapterSummary(SMALL, settings('prefix', { virtualTokens: 10, encoder: 'none' }))).toMatchObject({ trainable: 1280, fileBytes: 2 * 1280 * 4 });
    // PEFT's prefix token_dim is kvdim = nkv·hd = 32: n·kvdim 320 + kvdim·h 512 + h 16 + h·kv 2048 + kv 128 = 3024;
    // saved + the n × kv prefix 1280
    const proj = adapterSummary(SMALL, settings('prefix', { virtualTokens: 10, encoder: 'mlp', encoderHidden: 16 }));
    expect(proj).toMatchObject({ trainable: 3024, fileBytes: (3024 + 1280) * 4 });
  });

  it('full fine-tuning trains and saves everything', () => {
    expect(adapterSummary(SMALL, settings('full'))).toMatchObject({ trainable: 106816, saved: 106816, share: 1, fileBytes: 106816 * 4, fileDtype: 'fp32' });
    // A bf16 checkpoint is exported in bf16: two bytes a weight.
    expect(adapterSummary({ ...SMALL, torchDtype: 'bfloat16' }, settings('full'))).toMatchObject({ fileBytes: 106816 * 2, fileDtype: 'bf16' });
  });
});

describe('defaults, presets and scale', () => {
  it('gives each method a safe learning rate', () => {
    expect(methodDefaults('lora').lr).toBe(2e-4);
    expect(methodDefaults('ptuning').lr).toBe(1e-3);
    expect(methodDefaults('full')).toMatchObject({ lr: 1e-5, weightDecay: 0.01, l2spLambda: 0, ewcLambda: 0 });
    for (const m of TRAIN_METHODS) expect(adapterWarnings(SMALL, methodDefaults(m))).toEqual([]);
  });

  it('grows from Quick to Thorough for every method (full: more guards, same size)', () => {
    for (const m of TRAIN_METHODS.filter((x) => x !== 'full')) {
      const [q, b, t] = PRESET_NAMES.map((p) => adapterSummary(SMALL, { ...methodDefaults(m), ...presetSettings(m, p) }).saved);
      expect(q).toBeLessThan(b);
      expect(b).toBeLessThan(t);
    }
    expect(presetSettings('full', 'thorough')).toMatchObject({ ewcLambda: 1, l2spLambda: 0.01 });
    // Balanced is the defaults, so a freshly chosen method can show Balanced as its preset.
    for (const m of TRAIN_METHODS) expect(methodDefaults(m)).toMatchObject(presetSettings(m, 'balanced'));
  });

  it('scales by α/r, or α/√r with rsLoRA', () => {
    expect(effectiveScale(16, 8, false)).toBe(2);
    expect(effectiveScale(16, 64, true)).toBe(2);
  });
});

describe('warnings', () => {
  const texts = (s: AdapterSettings, maxSeqLen?: number) => adapterWarnings(SMALL, s, maxSeqLen).map((w) => `${w.level}: ${w.text}`);

  it('flags a rank above a target’s smaller side and an unusual scale', () => {
    expect(texts(settings('lora', { rank: 40, alpha: 80, targets: ['k_proj'] }))).toEqual([expect.stringMatching(/^warn: Rank 40 is above k_proj’s smaller side \(32\)/)]);
    expect(texts(settings('lora', { alpha: 128 }))).toEqual([expect.stringMatching(/^warn: The scale α\/r = 16\.00 is unusual/)]);
    expect(texts(settings('lora', { alpha: 1 }))).toEqual([expect.stringMatching(/α\/r = 0\.13 is unusual/)]);
    expect(texts(settings('lora', { targets: [] }))).toEqual([expect.stringMatching(/^error: Choose at least one target/)]);
  });

  it('flags too many virtual tokens, LSTM prefixes, negative λs and EWC without data', () => {
    expect(texts(settings('ptuning', { virtualTokens: 128 }))).toEqual([expect.stringMatching(/^error: 128 virtual tokens leave no room/)]);
    expect(texts(settings('ptuning', { virtualTokens: 40 }), 128)).toEqual([expect.stringMatching(/^warn: 40 virtual tokens take over a quarter/)]);
    expect(texts(settings('prefix', { encoder: 'lstm' }))).toEqual([expect.stringMatching(/^error: Prefix tuning has no LSTM/)]);
    expect(texts(settings('full', { l2spLambda: -1, ewcLambda: 1 }))).toEqual([
      expect.stringMatching(/^error: The L2-SP λ cannot be negative/), expect.stringMatching(/^error: EWC needs data/),
    ]);
  });
});

describe('Train page input', () => {
  it('sends only what each method reads, in run.yaml keys that pass the contract', () => {
    expect(toTrainInput(settings('lora'))).toEqual({ lr: 2e-4, rank: 8, alpha: 16, targets: 'all-linear' });
    expect(toTrainInput(settings('plora', { useDora: true, targets: ['q_proj'] }))).toEqual({
      method: 'plora', lr: 2e-4, rank: 8, alpha: 16, targets: ['q_proj'], use_dora: true, stages: 4,
    });
    expect(toTrainInput(settings('ptuning', { encoder: 'none' }))).toEqual({ method: 'ptuning', lr: 1e-3, virtual_tokens: 20, encoder: 'none' });
    expect(toTrainInput(settings('full', { ewcLambda: 2, ewcData: ' /d/old.jsonl ' }))).toEqual({
      method: 'full', lr: 1e-5, weight_decay: 0.01, ewc_lambda: 2, ewc_data: '/d/old.jsonl', ewc_samples: 200,
    });
    for (const m of TRAIN_METHODS) {
      const input = { model: '/m', data: '/d.jsonl', ...toTrainInput(methodDefaults(m)) };
      expect(TrainStartInput.safeParse(input).success).toBe(true);
      expect(fromTrainInput(input)).toEqual(methodDefaults(m)); // and back
    }
  });
});
