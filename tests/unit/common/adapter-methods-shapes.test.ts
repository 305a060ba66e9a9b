// common/adapter-methods.ts may not import the estimator (common imports nothing of ours), so its counts are checked
// against src-main/estimate/shapes.ts here, on catalog models and the small test model.
import { describe, expect, it } from 'vitest';
import { adapterSummary, methodDefaults, modelParamCount, projectionDims } from '../../../src-main/common/adapter-methods';
import { CATALOG_MODEL_NAMES, catalogModel } from '../../../src-main/estimate';
import { loraParamCount, paramCounts, ptuningParamCount } from '../../../src-main/estimate/shapes';
import { projectionDims as engineDims } from '../../../src-main/engine/nn/lora';
import { SMALL } from './small-spec';

const specs = [SMALL, ...CATALOG_MODEL_NAMES.map((n) => catalogModel(n)!)];

describe('adapter-methods agrees with the estimator’s shapes', () => {
  it.each(specs.map((s) => [s.hiddenSize, s]))('hidden %i: model, LoRA and P-tuning counts', (_h, spec) => {
    expect(projectionDims(spec)).toEqual(engineDims(spec));
    expect(modelParamCount(spec)).toBe(paramCounts(spec).total);
    for (const [r, targets] of [[8, 'all-linear'], [16, ['q_proj', 'v_proj']]] as const) {
      const s = { ...methodDefaults('lora'), rank: r, targets: targets === 'all-linear' ? methodDefaults('lora').targets : [...targets] };
      expect(adapterSummary(spec, s).trainable).toBe(loraParamCount(spec, { r, targets, dropout: 0 }));
    }
    for (const encoder of ['mlp', 'lstm', 'none'] as const) {
      const s = { ...methodDefaults('ptuning'), encoder, virtualTokens: 12, encoderHidden: 96 };
      expect(adapterSummary(spec, s).trainable).toBe(ptuningParamCount(spec, { virtualTokens: 12, encoder, encoderHidden: 96 }));
    }
  });
});
