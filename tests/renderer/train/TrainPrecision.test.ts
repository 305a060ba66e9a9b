// The Train page's precision controls: the select, loss scaling for fp16 only, the reasons, the payload, and the run panel's scale.
import { describe, expect, it } from 'vitest';
import TrainView from '../../../src-renderer/src/views/TrainView.vue';
import { precisionInput, precisionValid, precisionWhy } from '../../../src-renderer/src/components/train/precision-choice';
import { createFakeApi, flush } from '../helpers/fake-api';
import { job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

describe('precision-choice', () => {
  it('sends nothing for fp32, only the precision for bf16, and the loss scale for fp16', () => {
    expect(precisionInput('fp32', 'dynamic', 65536)).toEqual({});
    expect(precisionInput('bf16', 'static', 8)).toEqual({ precision: 'bf16' });
    expect(precisionInput('fp16', 'dynamic', 65536)).toEqual({ precision: 'fp16', loss_scale: 'dynamic' });
    expect(precisionInput('fp16', 'none', 65536)).toEqual({ precision: 'fp16', loss_scale: 'none' });
    expect(precisionInput('fp16', 'static', 1024)).toEqual({ precision: 'fp16', loss_scale: 1024 });
  });

  it('explains each format and only fp16 gets a loss-scaling reason', () => {
    expect(precisionWhy('bf16', 'dynamic')).toEqual({ precision: expect.stringMatching(/same range.*needs no loss scaling/), scale: null });
    expect(precisionWhy('fp16', 'none').precision).toMatch(/below 6e-8.*underflow.*loss scaling/);
    expect(precisionWhy('fp16', 'dynamic').scale).toMatch(/^Dynamic/);
    expect(precisionValid('fp16', 'static', 0)).toBe(false);
    expect(precisionValid('fp16', 'static', Number.NaN)).toBe(false);
    expect(precisionValid('bf16', 'static', 0)).toBe(true);
  });
});

describe('TrainView precision', () => {
  function fakeTrain(rows: ({ step: number } & Record<string, number>)[] = []) {
    const run = job({ id: 'r1', kind: 'train', state: 'running', progress: 0.2, runDir: '/runs/train-1', params: {} });
    return createFakeApi({
      'jobs.list': () => [run],
      'jobs.metrics': () => rows,
      'train.start': () => job({ id: 'r2', kind: 'train', state: 'running', progress: 0, runDir: '/runs/train-2', params: {} }),
    });
  }
  const lastStart = (fake: ReturnType<typeof fakeTrain>) => fake.calls.filter((c) => c.method === 'train.start').at(-1)?.input;

  it('defaults to fp32 with no loss scaling controls and sends no precision keys', async () => {
    const fake = fakeTrain();
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    expect((wrapper.get('[data-testid="train-precision"]').element as HTMLSelectElement).value).toBe('fp32');
    expect(wrapper.find('[data-testid="train-loss-scale"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="train-precision-emulated"]').exists()).toBe(false);
    await wrapper.get('[data-testid="train-model"]').setValue('/models/tiny');
    await wrapper.get('[data-testid="train-data"]').setValue('/data/train.jsonl');
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(lastStart(fake)).not.toHaveProperty('precision');
    expect(lastStart(fake)).not.toHaveProperty('loss_scale');
    wrapper.unmount();
  });

  it('bf16 explains why it needs no scaling; fp16 shows loss scaling (dynamic, none, static) and both say they are emulated', async () => {
    const fake = fakeTrain();
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await wrapper.get('[data-testid="train-model"]').setValue('/models/tiny');
    await wrapper.get('[data-testid="train-data"]').setValue('/data/train.jsonl');
    await wrapper.get('[data-testid="train-precision"]').setValue('bf16');
    expect(wrapper.get('[data-testid="train-precision-why"]').text()).toMatch(/same range .* needs no loss scaling/);
    expect(wrapper.find('[data-testid="train-loss-scale"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="train-precision-emulated"]').text()).toMatch(/bf16 runs emulated.*not faster/);
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(lastStart(fake)).toMatchObject({ precision: 'bf16' });
    expect(lastStart(fake)).not.toHaveProperty('loss_scale');

    await wrapper.get('[data-testid="train-precision"]').setValue('fp16');
    expect(wrapper.get('[data-testid="train-precision-why"]').text()).toMatch(/below 6e-8/);
    expect((wrapper.get('[data-testid="train-loss-scale"]').element as HTMLSelectElement).value).toBe('dynamic');
    expect(wrapper.get('[data-testid="train-loss-scale-why"]').text()).toMatch(/^Dynamic/);
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(lastStart(fake)).toMatchObject({ precision: 'fp16', loss_scale: 'dynamic' });

    await wrapper.get('[data-testid="train-loss-scale"]').setValue('static');
    await wrapper.get('[data-testid="train-loss-scale-value"]').setValue(1024);
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(lastStart(fake)).toMatchObject({ precision: 'fp16', loss_scale: 1024 });
    await wrapper.get('[data-testid="train-loss-scale-value"]').setValue(0);
    expect(wrapper.get('[data-testid="train-start"]').attributes('disabled')).toBeDefined();

    await wrapper.get('[data-testid="train-loss-scale"]').setValue('none');
    expect(wrapper.get('[data-testid="train-start"]').attributes('disabled')).toBeUndefined();
    await wrapper.get('[data-testid="train-form"]').trigger('submit');
    await flush();
    expect(lastStart(fake)).toMatchObject({ precision: 'fp16', loss_scale: 'none' });
    wrapper.unmount();
  });

  it('the run panel shows the loss scale and skipped steps when the metrics carry them', async () => {
    const scaled = fakeTrain([
      { step: 1, loss: 3.2, loss_scale: 65536, overflow: 1, skipped_steps: 1 },
      { step: 2, loss: 3.1, loss_scale: 32768, overflow: 0, skipped_steps: 1 },
    ]);
    const { wrapper } = await mountWithApp(TrainView, scaled, '/train');
    await flush();
    expect(wrapper.get('[data-testid="train-loss-scale-now"]').text()).toBe('2^15');
    expect(wrapper.get('[data-testid="train-skipped"]').text()).toBe('1');
    scaled.emit('job.metrics', { id: 'r1', step: 3, values: { loss: 3.0 } }); // live rows lack the scale: the last known stays
    await flush();
    expect(wrapper.get('[data-testid="train-loss"]').text()).toBe('3.0000');
    expect(wrapper.get('[data-testid="train-loss-scale-now"]').text()).toBe('2^15');
    wrapper.unmount();

    const plain = fakeTrain([{ step: 1, loss: 3.2 }]);
    const second = await mountWithApp(TrainView, plain, '/train');
    await flush();
    expect(second.wrapper.find('[data-testid="train-loss-scale-now"]').exists()).toBe(false);
    expect(second.wrapper.find('[data-testid="train-skipped"]').exists()).toBe(false);
    second.wrapper.unmount();
  });
});
