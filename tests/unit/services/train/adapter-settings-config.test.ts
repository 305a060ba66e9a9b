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

  it('takes the library\'s init_adapter for LoRA and refuses it with a method that cannot continue one', () => {
    const input = TrainStartInput.parse({ model: '/m', data: '/d.jsonl', rank: 8, alpha: 16, init_adapter: '/runs/r1/adapter' });
    expect(resolveTrainConfig({ values: input, cwd: '/' }).init_adapter).toBe('/runs/r1/adapter');
    expect(() => resolveTrainConfig({ values: { ...input, method: 'ptuning' }, cwd: '/' })).toThrow(/init_adapter applies only with method lora or lora_plus/);
  });
});
