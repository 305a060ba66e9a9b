// The Adapter wizard in happy-dom: it reads the model's shape, counts live (r 8 → 16 doubles LoRA), estimates lora/full/
// P-tuning memory and says "not estimated" for prefix tuning, warns, and hands the settings to the Train form.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { EstimateRunInput, EstimateRunOutput } from '../../../src-main/common/estimate';
import type { ModelSpec } from '../../../src-main/common/model-spec';
import AdapterWizard from '../../../src-renderer/src/wizards/AdapterWizard.vue';
import App from '../../../src-renderer/src/App.vue';
import { ADAPTER_ESTIMATE_DEBOUNCE_MS, useAdapterStore } from '../../../src-renderer/src/stores/adapter';
import { useTrainStore } from '../../../src-renderer/src/stores/train';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

// The hand-counted spec of tests/unit/common: LoRA r 8 on all seven projections = 16 384 parameters of 106 816.
const SPEC: ModelSpec = {
  architecture: 'LlamaForCausalLM', hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16,
  vocabSize: 256, maxPositions: 128, rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, tieWordEmbeddings: false,
  attentionBias: false, qkNorm: false, slidingWindow: null, torchDtype: 'float32',
};
const GB = 2 ** 30;
function report(input: EstimateRunInput): EstimateRunOutput {
  const total = (input.method === 'full' ? 3 : 1) * GB;
  return {
    model: { name: '/models/tiny', source: 'folder', architecture: 'LlamaForCausalLM', numLayers: 2, hiddenSize: 64 },
    device: { kind: 'cpu', id: 'cpu', name: 'This computer (CPU)', capacityBytes: 16 * GB },
    memory: { components: [], totalBytes: total, perLayerActivationBytes: 1, params: { total: 106816, trainable: 16384, matmul: 1 }, warnings: [] },
    verdict: { status: 'fits', usedBytes: total, capacityBytes: 16 * GB, marginBytes: 15 * GB, share: 0.1 },
    fixes: [], time: null, cost: null,
  };
}
function fakeApi() {
  return createFakeApi({
    'models.spec': ({ model }) => {
      if (model === '/nope') throw new Error('Model "/nope" is not in the catalog and not a model folder');
      return { name: model, source: model.startsWith('/') ? 'folder' : 'catalog', spec: SPEC };
    },
    'estimate.options': () => ({ models: [], devices: [], precisions: ['fp32'], targets: [], currency: 'USD', priceDate: '2026-01-01' }),
    'estimate.run': (input) => report(input),
    'jobs.list': () => [],
  });
}

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());
const settle = () => new Promise((resolve) => setTimeout(resolve, ADAPTER_ESTIMATE_DEBOUNCE_MS + 50));
const trainable = () => Number(wrapper!.get('[data-testid="adapter-trainable"]').attributes('data-value'));

describe('AdapterWizard', () => {
  it('reads the model, then counts LoRA live: r 8 → 16 doubles the parameters; α/r follows', async () => {
    const fake = fakeApi();
    ({ wrapper } = await mountWithApp(AdapterWizard, fake, '/adapter'));
    expect(fake.calls).toContainEqual({ method: 'models.spec', input: { model: 'Qwen2.5-0.5B' } });
    await wrapper.get('[data-testid="adapter-model"]').setValue('/models/tiny');
    await wrapper.get('[data-testid="adapter-model-load"]').trigger('submit');
    await flush();
    expect(wrapper.get('[data-testid="adapter-model-info"]').text()).toContain('/models/tiny');
    expect(wrapper.get('[data-testid="adapter-model-params"]').text()).toBe('107 k');

    const router = wrapper.vm.$router;
    await router.replace({ query: { step: 'configure' } });
    await flush();
    expect(trainable()).toBe(16384);
    expect(wrapper.get('[data-testid="adapter-share"]').text()).toMatch(/^15\.3% of 107 k/);
    expect(wrapper.get('[data-testid="adapter-target-total-q_proj"]').text()).toBe('2,048');
    await wrapper.get('[data-testid="adapter-rank-input"]').setValue(16);
    expect(trainable()).toBe(32768);
    expect(wrapper.get('[data-testid="adapter-scale"]').text()).toBe('1.00');
    await wrapper.get('[data-testid="adapter-rslora"]').setValue(true);
    expect(wrapper.get('[data-testid="adapter-scale"]').text()).toBe('4.00'); // 16 / √16
    await wrapper.get('[data-testid="adapter-target-gate_proj"]').setValue(false);
    expect(trainable()).toBe(32768 - 2 * 16 * 192);
    await settle();
    const runs = fake.calls.filter((c) => c.method === 'estimate.run');
    expect(runs.at(-1)?.input).toMatchObject({ model: '/models/tiny', method: 'lora', rank: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj'] });
    expect(wrapper.get('[data-testid="adapter-memory-total"]').text()).toBe('1.0 GiB');
  });

  it('estimates P-tuning with its virtual tokens, says "not estimated" for prefix tuning, full fine-tuning as full, and warns on nonsense', async () => {
    const fake = fakeApi();
    ({ wrapper } = await mountWithApp(AdapterWizard, fake, '/adapter?step=method'));
    const store = useAdapterStore();
    await store.loadModel('/models/tiny');
    await flush();
    await wrapper.get('[data-testid="adapter-method-ptuning"]').trigger('click');
    expect(store.settings.lr).toBe(1e-3);
    await settle();
    expect(fake.calls.filter((c) => c.method === 'estimate.run').at(-1)?.input).toMatchObject({ method: 'ptuning', ptuning: { virtualTokens: 20, encoder: 'mlp' } });
    expect(wrapper.find('[data-testid="adapter-memory-total"]').exists()).toBe(true);
    await wrapper.get('[data-testid="adapter-method-prefix"]').trigger('click');
    expect(wrapper.find('[data-testid="adapter-memory-none"]').exists()).toBe(true);
    await wrapper.get('[data-testid="adapter-method-ptuning"]').trigger('click');
    expect(trainable()).toBe(20 * 64 + 64 * 128 + 128 + 128 * 128 + 128 + 128 * 64 + 64); // n·H + the MLP encoder
    store.settings.virtualTokens = 200;
    await flush();
    expect(wrapper.get('[data-testid="adapter-warnings"]').text()).toMatch(/200 virtual tokens leave no room in a 128-token sequence/);
    await wrapper.get('[data-testid="adapter-method-full"]').trigger('click');
    await settle();
    expect(fake.calls.filter((c) => c.method === 'estimate.run').at(-1)?.input).toMatchObject({ method: 'full' });
    expect(wrapper.get('[data-testid="adapter-memory-total"]').text()).toBe('3.0 GiB');
    expect(trainable()).toBe(106816);
  });

  it('shows why a model could not be read', async () => {
    const fake = fakeApi();
    ({ wrapper } = await mountWithApp(AdapterWizard, fake, '/adapter'));
    await wrapper.get('[data-testid="adapter-model"]').setValue('/nope');
    await wrapper.get('[data-testid="adapter-model-load"]').trigger('submit');
    await flush();
    expect(wrapper.get('[data-testid="adapter-model-error"]').text()).toContain('/nope');
  });

  it('presets set the size and stay marked until a setting changes', async () => {
    const fake = fakeApi();
    ({ wrapper } = await mountWithApp(AdapterWizard, fake, '/adapter?step=configure'));
    const store = useAdapterStore();
    await store.loadModel('/models/tiny');
    await flush();
    expect(store.preset).toBe('balanced');
    await wrapper.get('[data-testid="adapter-preset-quick"]').trigger('click');
    expect(store.settings).toMatchObject({ rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'] });
    expect(wrapper.get('[data-testid="adapter-preset-quick"]').attributes('aria-pressed')).toBe('true');
    expect(trainable()).toBe(2 * 4 * (128 + 96));
    await wrapper.get('[data-testid="adapter-alpha-input"]').setValue(12);
    expect(store.preset).toBeNull();
  });
});

describe('hand-over to Train', () => {
  it('fills the Train form with the wizard’s settings (model folder, method, its keys) and sends them', async () => {
    const fake = fakeApi();
    Object.assign(fake.handlers, {
      'app.info': () => ({ name: 'Finetune Studio', version: '0.1.0', mode: 'serve', home: '/d', platform: 'linux' }),
      'store.status': () => ({ path: '/d/x.duckdb', ok: true, schemaVersion: 2, supportedVersion: 2, problem: null, message: null }),
      'train.start': () => { throw new Error('stop here'); },
    });
    ({ wrapper } = await mountWithApp(App, fake, '/adapter?step=method'));
    const store = useAdapterStore();
    await store.loadModel('/models/tiny');
    await flush();
    await wrapper.get('[data-testid="adapter-method-plora"]').trigger('click');
    store.settings.stages = 3;
    await wrapper.vm.$router.replace({ query: { step: 'train' } });
    await flush();
    expect(wrapper.get('[data-testid="adapter-review-stages"]').text()).toBe('3');
    await wrapper.get('[data-testid="adapter-to-train"]').trigger('click');
    await flush();
    expect(wrapper.vm.$route.path).toBe('/train');
    expect(wrapper.get('[data-testid="train-from-adapter"]').text()).toContain('PLoRA');
    expect(useTrainStore().pendingAdapterSettings).toBeNull(); // taken once
    expect((wrapper.get('[data-testid="train-model"]').element as HTMLInputElement).value).toBe('/models/tiny');
    expect((wrapper.get('[data-testid="train-method"]').element as HTMLSelectElement).value).toBe('plora');
    await wrapper.get('[data-testid="train-data"]').setValue('/data/train.jsonl');
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(fake.calls.find((c) => c.method === 'train.start')?.input).toMatchObject({
      model: '/models/tiny', data: '/data/train.jsonl', method: 'plora', stages: 3, rank: 8, alpha: 16, targets: 'all-linear', lr: 2e-4,
    });
  });
});
