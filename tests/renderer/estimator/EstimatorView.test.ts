// The estimator page in happy-dom: it estimates on open, re-estimates when a setting changes, and Apply sets a fix's settings.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { EstimateOptions, EstimateRunInput, EstimateRunOutput } from '../../../src-main/common/estimate';
import EstimatorView from '../../../src-renderer/src/views/EstimatorView.vue';
import { ESTIMATE_DEBOUNCE_MS, useEstimatorStore } from '../../../src-renderer/src/stores/estimator';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

const GB = 2 ** 30;
const options: EstimateOptions = {
  models: [{ name: 'Llama-2-7B', architecture: 'LlamaForCausalLM', params: 6.7e9, numLayers: 32, hiddenSize: 4096, numHeads: 32, vocabSize: 32000, maxPositions: 4096 }],
  devices: [
    { id: 'cpu', name: 'This computer (CPU)', kind: 'cpu', memoryBytes: 16 * GB, bf16: false, pricePerHour: null },
    { id: 'rtx-4090', name: 'GeForce RTX 4090', kind: 'gpu', memoryBytes: 24 * GB, bf16: true, pricePerHour: 0.4 },
  ],
  precisions: ['fp32', 'fp16', 'bf16'], targets: ['q_proj', 'v_proj'], currency: 'USD', priceDate: '2026-11-27',
};

/** A canned report: out of memory above batch 1, with one fix (micro-batch 1 × accum 4) and one advice. */
function report(input: EstimateRunInput): EstimateRunOutput {
  const used = (input.batchSize ?? 1) > 1 ? 30 * GB : 20 * GB;
  const verdict = (u: number) => ({ status: u > 24 * GB ? 'oom' as const : 'fits' as const, usedBytes: u, capacityBytes: 24 * GB, marginBytes: 24 * GB - u, share: u / (24 * GB) });
  return {
    model: { name: 'Llama-2-7B', source: 'catalog', architecture: 'LlamaForCausalLM', numLayers: 32, hiddenSize: 4096 },
    device: { kind: 'gpu', id: 'rtx-4090', name: 'GeForce RTX 4090', capacityBytes: 24 * GB },
    memory: {
      components: [{ key: 'weights', bytes: 13.4 * GB, note: 'bf16' }, { key: 'activations', bytes: used - 13.4 * GB, note: 'B·S' }],
      totalBytes: used, perLayerActivationBytes: 1, params: { total: 6.7e9, trainable: 4e6, matmul: 6.5e9 }, warnings: [],
    },
    verdict: verdict(used),
    fixes: used > 24 * GB ? [
      { kind: 'micro-batch', title: 'micro-batch 1 × grad-accum 4', change: { batchSize: 1, gradAccum: 4 }, totalBytes: 20 * GB, savedBytes: 10 * GB, verdict: verdict(20 * GB), timeFactor: 1, changesResult: false, note: 'same effective batch' },
      { kind: 'model-parallel', title: 'shard across 2 GPUs', change: {}, totalBytes: 30 * GB, savedBytes: 0, verdict: verdict(20 * GB), timeFactor: 1, changesResult: false, note: 'advice only' },
    ] : [],
    time: { flopsPerStep: 1e13, tokensPerStep: 2048, tokensPerSecond: 3000, stepSeconds: 0.7, totalSeconds: 3600, steps: 500, source: 'RTX 4090 peak' },
    cost: { hours: 1, powerW: 360, energyKwh: 0.36, electricityCost: null, cloudCost: 0.4, pricePerHour: 0.4, currency: 'USD', examplePrice: true, priceDate: '2026-11-27' },
  };
}

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());
const settle = () => new Promise((resolve) => setTimeout(resolve, ESTIMATE_DEBOUNCE_MS + 50));

async function open() {
  const fake = createFakeApi({ 'estimate.options': () => options, 'estimate.run': (input) => report(input) });
  const mounted = await mountWithApp(EstimatorView, fake, '/estimator');
  wrapper = mounted.wrapper;
  const store = useEstimatorStore();
  store.settings.model = 'Llama-2-7B';
  store.settings.device = 'rtx-4090';
  await settle();
  await flush();
  return { fake, store, runs: () => fake.calls.filter((c) => c.method === 'estimate.run') };
}

describe('EstimatorView', () => {
  it('estimates on open, draws the memory bar and the verdict', async () => {
    const { runs } = await open();
    expect(runs().length).toBeGreaterThanOrEqual(1);
    expect(wrapper!.get('[data-testid="estimator-verdict"]').attributes('data-status')).toBe('fits');
    expect(wrapper!.get('[data-testid="verdict-text"]').text()).toContain('20.0 GiB of the GeForce RTX 4090’s 24.0 GiB');
    expect(wrapper!.findAll('[data-testid="memory-bar"] rect.segment').map((s) => s.attributes('data-key'))).toEqual(['weights', 'activations']);
    expect(wrapper!.get('[data-testid="memory-weights"]').text()).toContain('13.4 GiB');
    expect(wrapper!.find('[data-testid="memory-capacity-line"]').exists()).toBe(true);
    expect(wrapper!.get('[data-testid="time-total"]').text()).toBe('1.0 h');
  });

  it('changing the batch re-estimates (debounced: one call for several changes)', async () => {
    const { runs } = await open();
    const before = runs().length;
    await wrapper!.get('[data-testid="est-batch"]').setValue('3');
    await wrapper!.get('[data-testid="est-batch"]').setValue('4');
    await settle();
    await flush();
    expect(runs().length).toBe(before + 1);
    expect(runs().at(-1)!.input).toMatchObject({ model: 'Llama-2-7B', batchSize: 4, device: 'rtx-4090' });
    expect(wrapper!.get('[data-testid="estimator-verdict"]').attributes('data-status')).toBe('oom');
    expect(wrapper!.get('[data-testid="verdict-word"]').text()).toBe('Out of memory');
    expect(wrapper!.get('[data-testid="verdict-text"]').text()).toContain('6.00 GiB more than there is');
  });

  it('Apply sets the inputs to the fix’s settings and estimates again; advice has no Apply', async () => {
    const { store, runs } = await open();
    store.settings.batchSize = 4;
    await settle();
    await flush();
    expect(wrapper!.findAll('[data-testid="fix-apply"]')).toHaveLength(1);
    expect(wrapper!.get('[data-testid="fix-advice"]').text()).toContain('shard across 2 GPUs');
    const before = runs().length;
    await wrapper!.get('[data-testid="fix-0"] [data-testid="fix-apply"]').trigger('click');
    await flush();
    expect(store.settings).toMatchObject({ batchSize: 1, gradAccum: 4 });
    expect(runs().length).toBe(before + 1);
    expect(runs().at(-1)!.input).toMatchObject({ batchSize: 1, gradAccum: 4 });
    expect((wrapper!.get('[data-testid="est-batch"]').element as HTMLInputElement).value).toBe('1');
    expect(wrapper!.get('[data-testid="estimator-verdict"]').attributes('data-status')).toBe('fits');
    await settle(); // the applied settings do not set off a second, debounced estimate
    expect(runs().length).toBe(before + 1);
  });

  it('shows an invalid-input error in words', async () => {
    const fake = createFakeApi({ 'estimate.options': () => options, 'estimate.run': () => { throw new Error('Model "/nope" is not in the catalog'); } });
    wrapper = (await mountWithApp(EstimatorView, fake, '/estimator')).wrapper;
    await flush();
    expect(wrapper.get('[data-testid="estimator-error"]').text()).toContain('/nope');
  });
});
