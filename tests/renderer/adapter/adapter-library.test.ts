// The adapter library: finished training runs' adapters grouped by base model, with losses from their metrics, and the
// Models page that lists them and hands a run's settings back to Train.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src-main/common/jobs';
import { adapterLibrary, kindOf, lastMetric, resultDirOf, runTrainInput } from '../../../src-renderer/src/components/models/adapter-library';
import ModelsView from '../../../src-renderer/src/views/ModelsView.vue';
import { useTrainStore } from '../../../src-renderer/src/stores/train';
import { createFakeApi, flush } from '../helpers/fake-api';
import { job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

const lora = { r: 8, alpha: 16, dropout: 0, targets: 'all-linear', init: 'gaussian' };
function run(id: string, over: Partial<Job> & { p?: Record<string, unknown> } = {}): Job {
  const { p, ...rest } = over;
  return job({
    id, kind: 'train', state: 'completed', runDir: `/runs/${id}`, endedAt: `2026-01-0${id.slice(-1)}T00:00:00.000Z`,
    params: { modelDir: '/models/qwen', method: 'lora', lora, trainData: `/runs/${id}/data/train.jsonl`, lr: 2e-4, weightDecay: 0, ...p },
    ...rest,
  });
}

describe('adapterLibrary', () => {
  it('keeps completed train runs, groups them by base model, newest first, with their last losses', () => {
    const jobs = [
      run('r1'), run('r2', { p: { method: 'plora', stages: 3 } }), run('r3', { p: { modelDir: '/models/llama', method: 'ptuning', prompt: { virtualTokens: 20, encoder: 'mlp', encoderHidden: 128 } } }),
      run('r4', { state: 'failed' }), run('r5', { kind: 'score' }),
    ];
    const groups = adapterLibrary(jobs, { r1: [{ step: 1, loss: 2 }, { step: 2, loss: 1.5 }, { step: 2, eval_loss: 1.7 }] });
    expect(groups.map((g) => [g.baseModel, g.entries.map((e) => e.jobId)])).toEqual([['/models/llama', ['r3']], ['/models/qwen', ['r2', 'r1']]]);
    const r1 = groups[1].entries[1];
    expect(r1).toMatchObject({ method: 'lora', kind: 'LoRA · r 8', finalLoss: 1.5, evalLoss: 1.7, resultDir: '/runs/r1/adapter', isAdapter: true, data: '/runs/r1/data/train.jsonl' });
    expect(groups[1].entries[0].kind).toBe('PLoRA · r 8 × 3 stages = 24');
    expect(groups[0].entries[0]).toMatchObject({ kind: 'P-tuning · 20 tokens, MLP', finalLoss: null });
  });

  it('points a full fine-tuning run at its saved model folder, not an adapter', () => {
    const [group] = adapterLibrary([run('r6', { p: { method: 'full' } })], {});
    expect(group.entries[0]).toMatchObject({ method: 'full', kind: 'Full fine-tuning · whole model', resultDir: '/runs/r6/model', isAdapter: false });
  });

  it('names every method’s kind, folders and last metrics plainly', () => {
    expect(kindOf({ lora })).toBe('LoRA · r 8'); // runs from before the other methods have no method key
    expect(kindOf({ method: 'lora_plus', lora: { ...lora, useDora: true } })).toBe('LoRA+ · r 8 · DoRA');
    expect(kindOf({ method: 'plora', lora: { ...lora, useRslora: true }, stages: 2 })).toBe('PLoRA · r 8 × 2 stages = 16 · rsLoRA');
    expect(kindOf({ method: 'ptuning', prompt: { virtualTokens: 20, encoder: 'lstm' } })).toBe('P-tuning · 20 tokens, LSTM');
    expect(kindOf({ method: 'prefix', prompt: { virtualTokens: 10, encoder: 'none' } })).toBe('Prefix tuning · 10 tokens');
    expect(kindOf({ method: 'full' })).toBe('Full fine-tuning · whole model');
    expect(resultDirOf('C:\\runs\\r1\\')).toBe('C:\\runs\\r1\\adapter');
    expect(resultDirOf('/runs/r1', 'ptuning')).toBe('/runs/r1/adapter');
    expect(resultDirOf('/runs/r1/', 'full')).toBe('/runs/r1/model');
    expect(lastMetric([{ step: 1, loss: 2 }, { step: 1, eval_loss: 3 }], 'loss')).toBe(2);
    expect(lastMetric(undefined, 'eval_loss')).toBeNull();
  });

  it('reads a run back as the Train page’s keys', () => {
    expect(runTrainInput(run('r1', { p: { method: 'lora_plus', loraPlusRatio: 8, lora: { ...lora, useRslora: true } } }))).toEqual({
      model: '/models/qwen', method: 'lora_plus', lr: 2e-4, rank: 8, alpha: 16, targets: 'all-linear', use_rslora: true, loraplus_ratio: 8,
    });
    expect(runTrainInput(run('r2', { p: { method: 'full', lr: 1e-5, weightDecay: 0.01, guards: { l2spLambda: 0.01, ewcLambda: 0, ewcData: null, ewcSamples: 200 } } }))).toEqual({
      model: '/models/qwen', method: 'full', lr: 1e-5, weight_decay: 0.01, l2sp_lambda: 0.01,
    });
  });
});

describe('ModelsView', () => {
  it('lists the library with losses from the run folders; selecting one offers its path and "train again"', async () => {
    const fake = createFakeApi({
      'jobs.list': () => [run('r1'), run('r2', { state: 'running' })],
      'jobs.metrics': ({ id }) => (id === 'r1' ? [{ step: 5, loss: 1.25 }] : []),
    });
    const { wrapper } = await mountWithApp(ModelsView, fake, '/models');
    await flush();
    expect(fake.calls.filter((c) => c.method === 'jobs.metrics').map((c) => c.input)).toEqual([{ id: 'r1' }]);
    const entries = wrapper.findAll('[data-testid="adapter-entry"]');
    expect(entries).toHaveLength(1);
    expect(entries[0].get('[data-testid="adapter-entry-loss"]').text()).toBe('1.2500');
    await entries[0].trigger('click');
    expect((wrapper.get('[data-testid="adapter-selected-path"]').element as HTMLInputElement).value).toBe('/runs/r1/adapter');
    await wrapper.get('[data-testid="adapter-train-again"]').trigger('click');
    expect(useTrainStore().pendingAdapterSettings).toMatchObject({ model: '/models/qwen', rank: 8 });
    expect(useTrainStore().pendingAdapterSettings).not.toHaveProperty('init_adapter');
    wrapper.unmount();
  });

  it('continues a LoRA run from its adapter (init_adapter handed to Train); a PLoRA run offers no such thing', async () => {
    const fake = createFakeApi({
      'jobs.list': () => [run('r1'), run('r2', { p: { method: 'plora', stages: 2 } })],
      'jobs.metrics': () => [{ step: 5, loss: 1.25 }],
    });
    const { wrapper } = await mountWithApp(ModelsView, fake, '/models');
    await flush();
    const entry = (id: string) => wrapper.get(`[data-testid="adapter-entry"][data-job="${id}"]`);
    await entry('r2').trigger('click');
    expect(wrapper.find('[data-testid="adapter-continue"]').exists()).toBe(false);
    await entry('r1').trigger('click');
    await wrapper.get('[data-testid="adapter-continue"]').trigger('click');
    expect(useTrainStore().pendingAdapterSettings).toMatchObject({ model: '/models/qwen', rank: 8, alpha: 16, init_adapter: '/runs/r1/adapter' });
    wrapper.unmount();
  });

  it('says when there is nothing yet', async () => {
    const { wrapper } = await mountWithApp(ModelsView, createFakeApi({ 'jobs.list': () => [] }), '/models');
    expect(wrapper.get('[data-testid="adapter-library-empty"]').text()).toMatch(/No adapters yet/);
    wrapper.unmount();
  });
});
