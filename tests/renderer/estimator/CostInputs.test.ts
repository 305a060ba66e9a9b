// The Estimator's money inputs: an electricity price, a power draw and a cloud price go into estimate.run (an emptied box
// means "the default"), and the electricity cost the estimate returns is shown.
import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { EstimateOptions, EstimateRunInput, EstimateRunOutput } from '../../../src-main/common/estimate';
import EstimatorView from '../../../src-renderer/src/views/EstimatorView.vue';
import { ESTIMATE_DEBOUNCE_MS } from '../../../src-renderer/src/stores/estimator';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

const GB = 2 ** 30;
const options: EstimateOptions = {
  models: [{ name: 'Qwen2.5-0.5B', architecture: 'Qwen2ForCausalLM', params: 4.9e8, numLayers: 24, hiddenSize: 896, numHeads: 14, vocabSize: 151936, maxPositions: 32768 }],
  devices: [{ id: 'l4', name: 'NVIDIA L4', kind: 'gpu', memoryBytes: 24 * GB, bf16: true, pricePerHour: 0.8 }],
  precisions: ['fp32', 'fp16', 'bf16'], targets: ['q_proj', 'v_proj'], currency: 'USD', priceDate: '2026-11-27',
};

function report(input: EstimateRunInput): EstimateRunOutput {
  const hours = 2;
  const powerW = input.powerW ?? 57.6;
  const pricePerHour = input.pricePerHour ?? 0.8;
  return {
    model: { name: 'Qwen2.5-0.5B', source: 'catalog', architecture: 'Qwen2ForCausalLM', numLayers: 24, hiddenSize: 896 },
    device: { kind: 'gpu', id: 'l4', name: 'NVIDIA L4', capacityBytes: 24 * GB },
    memory: { components: [{ key: 'weights', bytes: 4 * GB, note: '' }], totalBytes: 4 * GB, perLayerActivationBytes: 1, params: { total: 4.9e8, trainable: 4e6, matmul: 4.5e8 }, warnings: [] },
    verdict: { status: 'fits', usedBytes: 4 * GB, capacityBytes: 24 * GB, marginBytes: 20 * GB, share: 0.2 },
    fixes: [],
    time: { flopsPerStep: 1e12, tokensPerStep: 512, tokensPerSecond: 140, stepSeconds: 3.6, totalSeconds: hours * 3600, steps: 2000, source: 'catalog peak', basis: 'gpu-peak', otherRate: null },
    cost: {
      hours, powerW, energyKwh: (powerW * hours) / 1000, electricityCost: input.pricePerKwh ? ((powerW * hours) / 1000) * input.pricePerKwh : null,
      cloudCost: pricePerHour * hours, pricePerHour, currency: 'USD', examplePrice: input.pricePerHour == null, priceDate: '2026-11-27',
    },
  };
}

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());
const settle = () => new Promise((r) => setTimeout(r, ESTIMATE_DEBOUNCE_MS + 50));

describe('Estimator money inputs', () => {
  it('sends the electricity price, power and cloud price, and shows the electricity cost', async () => {
    const calls: EstimateRunInput[] = [];
    const fake = createFakeApi({
      'estimate.options': () => options,
      'estimate.calibration': () => null,
      'estimate.run': (input: EstimateRunInput) => { calls.push(input); return report(input); },
    });
    wrapper = (await mountWithApp(EstimatorView, fake, '/estimator')).wrapper;
    const store = (await import('../../../src-renderer/src/stores/estimator')).useEstimatorStore();
    store.settings.device = 'l4';
    await settle();
    await flush();
    expect(calls.at(-1)).toMatchObject({ pricePerKwh: null, powerW: null, pricePerHour: null });
    expect(wrapper.find('[data-testid="cost-electricity"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="cost-power"]').attributes('placeholder')).toBe('58 (80% of TDP)');

    await wrapper.get('[data-testid="cost-price-kwh"]').setValue('0.25');
    await wrapper.get('[data-testid="cost-power"]').setValue('100');
    await wrapper.get('[data-testid="cost-price-hour"]').setValue('1.5');
    await settle();
    await flush();
    expect(calls.at(-1)).toMatchObject({ pricePerKwh: 0.25, powerW: 100, pricePerHour: 1.5 });
    // 100 W × 2 h = 0.2 kWh × 0.25 = 0.05; the cloud at 1.5/h for 2 h = 3.
    expect(wrapper.get('[data-testid="cost-electricity"]').text()).toBe('0.05 USD');
    expect(wrapper.get('[data-testid="cost-cloud"]').text()).toBe('3.00 USD');

    // An emptied box is the default again, not an error.
    await wrapper.get('[data-testid="cost-power"]').setValue('');
    await settle();
    await flush();
    expect(calls.at(-1)!.powerW).toBeNull();
  });
});
