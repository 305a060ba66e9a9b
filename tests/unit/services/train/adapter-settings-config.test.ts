// What the Adapter wizard hands to Train must be a config main accepts, for every method and preset: the wizard sends
// only its method's keys (main refuses another method's settings rather than ignore them).
import { describe, expect, it } from 'vitest';
import { methodDefaults, presetSettings, toTrainInput, type PresetName } from '../../../../src-main/common/adapter-methods';
import { TRAIN_METHODS, TrainStartInput } from '../../../../src-main/common/train';
import { resolveTrainConfig } from '../../../../src-main/services/train';

describe('Adapter wizard settings → training config', () => {
  for (const method of TRAIN_METHODS) {
    for (const preset of ['quick', 'balanced', 'thorough'] as PresetName[]) {
      it(`${method} (${preset}) resolves without an issue and keeps the method`, () => {
        const settings = { ...methodDefaults(method), ...presetSettings(method, preset) };
        const input = TrainStartInput.parse({ model: '/m', data: '/d.jsonl', ...toTrainInput(settings) });
        const config = resolveTrainConfig({ values: input, cwd: '/' });
        expect(config.method).toBe(method);
        if (method === 'full') expect(config.lr).toBe(settings.lr);
      });
    }
  }
});
