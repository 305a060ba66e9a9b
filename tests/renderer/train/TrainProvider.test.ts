// The Train page's "Compute on" choice: the providers the hardware probe found (those that fail disabled, with why),
// what the chosen one does to the precision, and the provider key train.start receives (none for the CPU).
import { describe, expect, it } from 'vitest';
import TrainView from '../../../src-renderer/src/views/TrainView.vue';
import { executionNote, providerInput, providerOptions } from '../../../src-renderer/src/components/train/provider-choice';
import { createFakeApi, flush } from '../helpers/fake-api';
import { hardwareReport, job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

/** What an H200 answered through WebGPU (scripts/gpu-check/results/2026-11-28-h200); CUDA is not installed. */
const GPU_REPORT = hardwareReport({
  onnxruntime: {
    version: '1.30.0',
    providers: [
      { name: 'cpu', works: true },
      { name: 'webgpu', works: true, kernels: { fp16: true, bf16: false, fp8: false, note: 'fp16: MatMul, Add, Softmax kernels' } },
      { name: 'cuda', works: false, error: 'libcudart.so.12: cannot open shared object file' },
    ],
  },
});

describe('provider-choice', () => {
  it('lists the CPU first, then the GPU providers, disabling those that do not work, with the reason', () => {
    const options = providerOptions(GPU_REPORT);
    expect(options.map((o) => [o.name, o.works, o.fp16Kernels])).toEqual([['cpu', true, false], ['webgpu', true, true], ['cuda', false, null]]);
    expect(options[2].label).toMatch(/^GPU through CUDA — does not work here: libcudart\.so\.12/);
    expect(providerOptions(null).map((o) => o.name)).toEqual(['cpu']);
  });

  it('says how each precision runs on the chosen provider', () => {
    const [cpu, webgpu] = providerOptions(GPU_REPORT);
    expect(executionNote('fp32', cpu)).toBeNull();
    expect(executionNote('fp16', cpu)).toMatch(/fp16 runs emulated.*not faster/);
    expect(executionNote('fp16', webgpu)).toMatch(/matmuls run on its float16 kernels \(probed\)/);
    expect(executionNote('fp16', { ...webgpu, fp16Kernels: false })).toMatch(/no float16 MatMul kernel was found there, so it runs emulated/);
    expect(executionNote('bf16', webgpu)).toMatch(/bf16 on GPU through WebGPU runs emulated/);
    expect(providerInput('cpu')).toEqual({});
    expect(providerInput('webgpu')).toEqual({ provider: 'webgpu' });
  });
});

describe('TrainView provider', () => {
  it('sends provider webgpu with fp16 and shows that its matmuls run on the GPU; the CPU sends no key', async () => {
    const fake = createFakeApi({
      'hardware.get': () => GPU_REPORT,
      'jobs.list': () => [],
      'train.start': () => job({ id: 'r2', kind: 'train', state: 'running', progress: 0, runDir: '/runs/train-2', params: {} }),
    });
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await flush();
    const select = wrapper.get('[data-testid="train-provider"]');
    const opts = select.findAll('option');
    expect(opts.map((o) => [o.attributes('value'), o.attributes('disabled') !== undefined])).toEqual([['cpu', false], ['webgpu', false], ['cuda', true]]);
    await wrapper.get('[data-testid="train-model"]').setValue('/models/tiny');
    await wrapper.get('[data-testid="train-data"]').setValue('/data/train.jsonl');
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    const last = () => fake.calls.filter((c) => c.method === 'train.start').at(-1)?.input;
    expect(last()).not.toHaveProperty('provider');

    await select.setValue('webgpu');
    await wrapper.get('[data-testid="train-precision"]').setValue('fp16');
    expect(wrapper.get('[data-testid="train-precision-emulated"]').text()).toMatch(/fp16 on GPU through WebGPU: the matmuls run on its float16 kernels/);
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(last()).toMatchObject({ provider: 'webgpu', precision: 'fp16', loss_scale: 'dynamic' });
    wrapper.unmount();
  });
});
