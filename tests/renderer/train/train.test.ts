// The Train page: the form's payload and live α/r, the run panel from the run folder's metrics plus live events.
import { describe, expect, it } from 'vitest';
import TrainView from '../../../src-renderer/src/views/TrainView.vue';
import { lossSeries } from '../../../src-renderer/src/components/train/loss-series';
import { createFakeApi, flush } from '../helpers/fake-api';
import { job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';
import { useTrainStore } from '../../../src-renderer/src/stores/train';

describe('lossSeries', () => {
  it('aligns train and eval rows on one step axis with gaps', () => {
    expect(lossSeries([{ step: 2, loss: 1.5 }, { step: 1, loss: 2 }, { step: 2, eval_loss: 1.7 }, { step: 3, loss: 1.2 }])).toEqual({
      steps: [1, 2, 3], loss: [2, 1.5, 1.2], evalLoss: [null, 1.7, null],
    });
  });
});

describe('TrainView', () => {
  function fakeTrain() {
    const run = job({ id: 'r1', kind: 'train', state: 'running', progress: 0.2, runDir: '/runs/train-1', params: {} });
    return createFakeApi({
      'jobs.list': () => [run],
      'jobs.metrics': () => [{ step: 1, loss: 3.2, tokens_per_s: 900 }, { step: 2, loss: 2.9, tokens_per_s: 950 }],
      'train.start': () => job({ id: 'r2', kind: 'train', state: 'running', progress: 0, runDir: '/runs/train-2', params: {}, createdAt: '2026-01-01T00:00:00.000Z' }),
      'jobs.cancel': ({ id }) => ({ ...run, id, state: 'cancelled', resumable: true }),
    });
  }

  it('shows the latest run from its run folder, then grows with live metrics, without duplicates', async () => {
    const fake = fakeTrain();
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await flush();
    expect(fake.calls).toContainEqual({ method: 'jobs.metrics', input: { id: 'r1' } });
    expect(wrapper.get('[data-testid="train-step"]').text()).toBe('2');
    expect(wrapper.get('[data-testid="train-loss"]').text()).toBe('2.9000');
    fake.emit('job.metrics', { id: 'r1', step: 2, values: { loss: 2.9 } }); // already known
    fake.emit('job.metrics', { id: 'r1', step: 3, values: { loss: 2.5, tokens_per_s: 1000 } });
    fake.emit('job.metrics', { id: 'r1', step: 3, values: { eval_loss: 2.7, eval_ppl: 14.9 } });
    await flush();
    expect(wrapper.get('[data-testid="train-step"]').text()).toBe('3');
    expect(wrapper.get('[data-testid="train-loss"]').text()).toBe('2.5000');
    expect(wrapper.get('[data-testid="train-eval-loss"]').text()).toBe('2.7000');
    expect(wrapper.get('[data-testid="train-tps"]').text()).toBe('1000');
    await wrapper.get('[data-testid="train-cancel"]').trigger('click');
    await flush();
    expect(fake.calls).toContainEqual({ method: 'jobs.cancel', input: { id: 'r1' } });
    expect(wrapper.find('[data-testid="train-resume"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('sends the form as run.yaml keys, shows α/r live, and selects the new run', async () => {
    const fake = fakeTrain();
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    expect(wrapper.get('[data-testid="train-start"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="train-model"]').setValue('/models/tiny');
    await wrapper.get('[data-testid="train-data"]').setValue('/data/train.jsonl');
    await wrapper.get('[data-testid="train-rank"]').setValue(4);
    await wrapper.get('[data-testid="train-alpha"]').setValue(32);
    expect(wrapper.get('[data-testid="train-scale"]').text()).toBe('8.00');
    await wrapper.get('[data-testid="train-target-gate_proj"]').setValue(false);
    await wrapper.get('[data-testid="train-steps"]').setValue(50);
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    const call = fake.calls.find((c) => c.method === 'train.start');
    expect(call?.input).toMatchObject({
      model: '/models/tiny', data: '/data/train.jsonl', rank: 4, alpha: 32, steps: 50, lr: 0.0002, batch_size: 1,
      targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj'],
    });
    expect(call?.input).not.toHaveProperty('epochs');
    expect(wrapper.get('[data-testid="train-run"]').attributes('data-state')).toBe('running');
    expect(wrapper.get('[data-testid="train-run"]').text()).toContain('/runs/train-2');
    wrapper.unmount();
  });

  it('sends LoRA+ with its ratio only when ticked', async () => {
    const fake = fakeTrain();
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await wrapper.get('[data-testid="train-model"]').setValue('/models/tiny');
    await wrapper.get('[data-testid="train-data"]').setValue('/data/train.jsonl');
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(fake.calls.find((c) => c.method === 'train.start')?.input).not.toHaveProperty('method');
    await wrapper.get('[data-testid="train-loraplus"]').setValue(true);
    await wrapper.get('[data-testid="train-loraplus-ratio"]').setValue(8);
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(fake.calls.filter((c) => c.method === 'train.start').at(-1)?.input).toMatchObject({ method: 'lora_plus', loraplus_ratio: 8 });
    wrapper.unmount();
  });

  it('continues an adapter handed over from the library (init_adapter), and never sends it with a method that cannot', async () => {
    const fake = fakeTrain();
    const { wrapper } = await mountWithApp(TrainView, fake, '/train', () => {
      useTrainStore().pendingAdapterSettings = { model: '/models/tiny', rank: 8, alpha: 16, init_adapter: '/runs/r1/adapter' };
    });
    expect((wrapper.get('[data-testid="train-init-adapter"]').element as HTMLInputElement).value).toBe('/runs/r1/adapter');
    await wrapper.get('[data-testid="train-data"]').setValue('/data/train.jsonl');
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(fake.calls.find((c) => c.method === 'train.start')?.input).toMatchObject({ model: '/models/tiny', rank: 8, init_adapter: '/runs/r1/adapter' });
    await wrapper.get('[data-testid="train-method"]').setValue('ptuning');
    expect(wrapper.find('[data-testid="train-init-adapter"]').exists()).toBe(false);
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(fake.calls.filter((c) => c.method === 'train.start').at(-1)?.input).not.toHaveProperty('init_adapter');
    wrapper.unmount();
  });

  it('shows why a run could not start', async () => {
    const fake = createFakeApi({
      'jobs.list': () => [],
      'train.start': () => { throw Object.assign(new Error('/m is not a Hugging Face model folder: /m/config.json does not exist.'), { name: 'ApiError', code: 'invalid-input' }); },
    });
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    expect(wrapper.find('[data-testid="train-none"]').exists()).toBe(true);
    await wrapper.get('[data-testid="train-model"]').setValue('/m');
    await wrapper.get('[data-testid="train-data"]').setValue('/d.jsonl');
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(wrapper.get('[data-testid="train-error"]').text()).toContain('config.json does not exist');
    wrapper.unmount();
  });
});
