// The Precision page's memory-and-time card: three estimates (fp32, bf16, fp16) with the Estimator's other settings,
// side by side, with the difference against fp32 in words; a model folder or another engine re-estimates.
import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { EstimateOptions, EstimateRunInput, EstimateRunOutput } from '../../../src-main/common/estimate';
import PrecisionEstimate from '../../../src-renderer/src/components/precision/PrecisionEstimate.vue';
import { againstFp32, comparisonNote } from '../../../src-renderer/src/components/precision/precision-estimate-text';
import { useEstimatorStore } from '../../../src-renderer/src/stores/estimator';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

const GB = 2 ** 30;
const options = {
  models: [{ name: 'Llama-2-7B', architecture: 'LlamaForCausalLM', params: 6.7e9, numLayers: 32, hiddenSize: 4096, numHeads: 32, vocabSize: 32000, maxPositions: 4096 }],
  devices: [], precisions: ['fp32', 'fp16', 'bf16'], targets: [], currency: 'USD', priceDate: '2026-11-27',
} as EstimateOptions;

/** fp32: 40 GiB, 2 s a step; 16-bit: 24 GiB, 0.5 s (bf16) / 0.6 s (fp16). */
function report(input: EstimateRunInput): EstimateRunOutput {
  const half = input.precision !== 'fp32';
  const bytes = (half ? 24 : 40) * GB;
  const step = input.precision === 'fp32' ? 2 : input.precision === 'bf16' ? 0.5 : 0.6;
  return {
    model: { name: input.model, source: 'catalog', architecture: 'LlamaForCausalLM', numLayers: 32, hiddenSize: 4096 },
    device: { kind: 'gpu', id: 'a100-80gb-sxm', name: 'NVIDIA A100 80GB SXM', capacityBytes: 80 * GB },
    memory: { components: [], totalBytes: bytes, perLayerActivationBytes: 1, params: { total: 6.7e9, trainable: 4e6, matmul: 6.5e9 }, warnings: [] },
    verdict: { status: 'fits', usedBytes: bytes, capacityBytes: 80 * GB, marginBytes: 80 * GB - bytes, share: bytes / (80 * GB) },
    fixes: [], cost: null,
    time: { flopsPerStep: 1, tokensPerStep: 1, tokensPerSecond: 1, stepSeconds: step, totalSeconds: null, steps: null, source: '', basis: 'gpu-peak', otherRate: null },
  };
}

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('PrecisionEstimate', () => {
  it('estimates fp32, bf16 and fp16 with the Estimator’s settings and shows them side by side in words', async () => {
    const fake = createFakeApi({ 'estimate.options': () => options, 'estimate.run': (input) => report(input) });
    const mounted = await mountWithApp(PrecisionEstimate, fake, '/precision');
    wrapper = mounted.wrapper;
    const est = useEstimatorStore();
    Object.assign(est.settings, { device: 'a100-80gb-sxm', batchSize: 4 });
    await flush();
    // The model and the engine are the card's own choice; the rest follows the Estimator page.
    await wrapper.get('[data-testid="pe-model"]').setValue('Llama-2-7B');
    await wrapper.get('[data-testid="pe-profile"]').setValue('pytorch-peft');
    await settle();
    await flush();
    const runs = fake.calls.filter((c) => c.method === 'estimate.run').map((c) => c.input as EstimateRunInput);
    const last3 = runs.slice(-3);
    expect(last3.map((r) => r.precision)).toEqual(['fp32', 'bf16', 'fp16']);
    expect(last3.every((r) => r.model === 'Llama-2-7B' && r.batchSize === 4 && r.device === 'a100-80gb-sxm' && r.profile === 'pytorch-peft')).toBe(true);
    const row = (p: string) => wrapper!.get(`[data-testid="pe-row-${p}"]`);
    expect(row('fp32').get('[data-testid="pe-memory"]').text()).toBe('40.0 GiB');
    expect(row('fp32').get('[data-testid="pe-time"]').text()).toBe('2.0 s');
    expect(row('fp32').get('[data-testid="pe-diff"]').text()).toBe('the reference');
    expect(row('bf16').get('[data-testid="pe-time"]').text()).toBe('500 ms');
    expect(row('bf16').get('[data-testid="pe-diff"]').text()).toBe('saves 16.0 GiB (40% less), 4.0× as fast per step');
    expect(row('fp16').get('[data-testid="pe-diff"]').text()).toBe('saves 16.0 GiB (40% less), 3.3× as fast per step');
    expect(wrapper.get('[data-testid="pe-note"]').text()).toMatch(/autocast/);
  });

  it('a model folder is estimated instead; without a CPU time the cells say — and where to measure', async () => {
    const fake = createFakeApi({
      'estimate.options': () => options,
      'estimate.run': (input) => ({ ...report(input), time: null, device: { kind: 'cpu', id: 'cpu', name: 'This computer (CPU)', capacityBytes: 16 * GB } }),
    });
    wrapper = (await mountWithApp(PrecisionEstimate, fake, '/precision')).wrapper;
    await flush();
    await wrapper.get('[data-testid="pe-folder"]').setValue('/models/tiny');
    await wrapper.get('[data-testid="pe-folder-use"]').trigger('click');
    await settle();
    await flush();
    expect((fake.calls.at(-1)!.input as EstimateRunInput).model).toBe('/models/tiny');
    expect(wrapper.get('[data-testid="pe-row-bf16"] [data-testid="pe-time"]').text()).toBe('—');
    expect(wrapper.get('[data-testid="pe-row-bf16"] [data-testid="pe-diff"]').text()).toBe('saves 16.0 GiB (40% less), speed unknown');
    expect(wrapper.get('[data-testid="pe-no-time"]').text()).toContain('Estimator');
  });

  it('says "the same" when a format changes nothing (this app’s engine computes in fp32)', () => {
    const a = report({ model: 'm', precision: 'fp32' });
    expect(againstFp32(a, a)).toBe('the same memory, the same speed');
  });

  it('explains our engine per device: the CPU pays a measured emulation cost, a GPU provider runs fp16 on its kernels', () => {
    const gpu = report({ model: 'm', precision: 'fp16' });
    const cpu = { ...gpu, device: { ...gpu.device, kind: 'cpu' as const } };
    expect(comparisonNote(cpu, 'ours')).toMatch(/fp16 step 1\.08×, a bf16 step 1\.54× an fp32 step/);
    expect(comparisonNote(gpu, 'ours')).toMatch(/fp16’s matmuls run on them, bf16 is emulated/);
  });
});
