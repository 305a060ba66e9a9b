// Evaluating a library entry on the Models page: the two baseline calls (base model, fine-tune) with one seed and
// limit, polled together until both end, and the loss change shown; full fine-tuning evaluates its saved model folder.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { BaselineInput, BaselineRow } from '../../../src-main/common/alternatives';
import type { Job } from '../../../src-main/common/jobs';
import ModelsView from '../../../src-renderer/src/views/ModelsView.vue';
import { EVAL_POLL_MS, evalInputs, lossDelta, useAdapterEvalStore } from '../../../src-renderer/src/stores/adapter-eval';
import { createFakeApi, flush, type FakeHandlers } from '../helpers/fake-api';
import { dataset, version } from '../helpers/data-fixtures';
import { job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

const lora = { r: 8, alpha: 16, dropout: 0, targets: 'all-linear', init: 'gaussian' };
const run = (id: string, method = 'lora'): Job => job({
  id, kind: 'train', state: 'completed', runDir: `/runs/${id}`, endedAt: '2026-01-01T00:00:00.000Z',
  params: { modelDir: '/models/qwen', method, lora, trainData: `/runs/${id}/data/train.jsonl`, lr: 2e-4 },
});

function row(jobId: string, over: Partial<BaselineRow> = {}): BaselineRow {
  return { shots: 0, jobId, state: 'running', progress: 0.5, loss: null, ppl: null, scored: 0, errors: 0, records: 50, reason: null, adapter: null, ...over };
}
const done = (jobId: string, loss: number, adapter: string | null = null) =>
  row(jobId, { state: 'completed', progress: 1, loss, ppl: Math.exp(loss), scored: 48, errors: 2, adapter });

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Models page with one run, a dataset, and baseline jobs that finish on the second poll. */
async function open(method = 'lora', handlers: FakeHandlers = {}) {
  let polls = 0;
  const fake = createFakeApi({
    'jobs.list': () => [run('r1', method)],
    'jobs.metrics': () => [],
    'data.list': () => [dataset({ name: 'capitals', currentVersion: version({ id: 'v7', version: 3, recordCount: 120 }) })],
    'estimate.baseline': (input) => ({ jobs: [{ shots: 0, jobId: input.adapterDir || input.modelPath !== '/models/qwen' ? 'tuned' : 'base' }], records: 50 }),
    'estimate.baselineResult': () => (polls++ === 0
      ? { rows: [row('base'), row('tuned')] }
      : { rows: [done('base', 2.5), done('tuned', 1.25, method === 'full' ? null : '/runs/r1/adapter')] }),
    ...handlers,
  });
  wrapper = (await mountWithApp(ModelsView, fake, '/models')).wrapper;
  await flush();
  await wrapper.get('[data-testid="adapter-entry"]').trigger('click');
  await flush();
  return { fake, calls: (m: string) => fake.calls.filter((c) => c.method === m) };
}

describe('evalInputs and lossDelta', () => {
  const form = { evalVersionId: 'v1', limit: 20 };
  it('scores the base as it is and the fine-tune with its adapter, or a full fine-tune’s model folder alone', () => {
    const common = { evalVersionId: 'v1', shots: [0], limit: 20, seed: 0 };
    expect(evalInputs({ jobId: 'r1', baseModel: '/m', resultDir: '/runs/r1/adapter', isAdapter: true }, form)).toEqual({
      base: { modelPath: '/m', ...common }, tuned: { modelPath: '/m', adapterDir: '/runs/r1/adapter', ...common },
    });
    const full = evalInputs({ jobId: 'r2', baseModel: '/m', resultDir: '/runs/r2/model', isAdapter: false }, form);
    expect(full.tuned).toEqual({ modelPath: '/runs/r2/model', ...common });
    expect(full.tuned).not.toHaveProperty('adapterDir');
  });

  it('gives a change only once both rows completed (then they cover the same records)', () => {
    expect(lossDelta(done('a', 2), done('b', 1.5))).toBe(-0.5);
    expect(lossDelta(done('a', 2), row('b', { loss: 1.5 }))).toBeNull();
    expect(lossDelta(done('a', 2), row('b', { state: 'failed', loss: null }))).toBeNull();
    expect(lossDelta(null, done('b', 1))).toBeNull();
  });
});

describe('the Evaluate panel', () => {
  it('starts both calls with one seed and limit, polls all the jobs together until done, and shows the change', async () => {
    const { calls } = await open();
    const panel = wrapper!.get('[data-testid="adapter-eval"]');
    expect(panel.get('[data-testid="adapter-eval-dataset"]').element).toHaveProperty('value', 'v7');
    expect(panel.get('[data-testid="adapter-eval-dataset"]').text()).toContain('capitals (v3, 120 records)');
    expect(panel.get('[data-testid="adapter-eval-limit"]').element).toHaveProperty('value', '50');
    await panel.get('[data-testid="adapter-eval-limit"]').setValue(4);
    await panel.get('[data-testid="adapter-eval-run"]').trigger('click');
    await flush();

    const inputs = calls('estimate.baseline').map((c) => c.input as BaselineInput);
    expect(inputs).toHaveLength(2);
    const common = { evalVersionId: 'v7', shots: [0], limit: 4, seed: 0 };
    expect(inputs).toContainEqual({ modelPath: '/models/qwen', ...common });
    expect(inputs).toContainEqual({ modelPath: '/models/qwen', adapterDir: '/runs/r1/adapter', ...common });
    expect(calls('estimate.baselineResult')[0].input).toEqual({ jobIds: expect.arrayContaining(['base', 'tuned']) });
    expect((calls('estimate.baselineResult')[0].input as { jobIds: string[] }).jobIds).toHaveLength(2);

    // First poll: both running, progress bars, no change yet; the button waits.
    expect(wrapper!.get('[data-testid="adapter-eval-tuned"]').attributes('data-state')).toBe('running');
    expect(wrapper!.findAll('[data-testid="adapter-eval-table"] [role="progressbar"]')).toHaveLength(2);
    expect(wrapper!.get('[data-testid="adapter-eval-delta"]').text()).toBe('—');
    expect(wrapper!.get('[data-testid="adapter-eval-run"]').attributes('disabled')).toBeDefined();

    await settle(EVAL_POLL_MS + 100);
    await flush();
    expect(wrapper!.get('[data-testid="adapter-eval-base"] [data-testid="adapter-eval-loss"]').text()).toBe('2.500');
    expect(wrapper!.get('[data-testid="adapter-eval-tuned"] [data-testid="adapter-eval-loss"]').text()).toBe('1.250');
    expect(wrapper!.get('[data-testid="adapter-eval-tuned"]').text()).toContain('With this adapter');
    expect(wrapper!.get('[data-testid="adapter-eval-tuned"]').text()).toContain('48 / 50 (2 too long or unusable)');
    expect(wrapper!.get('[data-testid="adapter-eval-delta"]').text()).toBe('−1.250');
    expect(wrapper!.get('[data-testid="adapter-eval-verdict"]').text()).toContain('Better than the base model: the answer loss falls by 1.250');
    const polled = calls('estimate.baselineResult').length;
    expect(polled).toBe(2);
    await settle(EVAL_POLL_MS + 100);
    expect(calls('estimate.baselineResult')).toHaveLength(polled); // done: no more polling
  });

  it('evaluates a full fine-tuning run’s model folder on its own, without an adapter', async () => {
    const { calls } = await open('full');
    expect(wrapper!.get('[data-testid="adapter-entry"]').text()).toContain('Full fine-tuning · whole model');
    expect((wrapper!.get('[data-testid="adapter-selected-path"]').element as HTMLInputElement).value).toBe('/runs/r1/model');
    await wrapper!.get('[data-testid="adapter-eval-run"]').trigger('click');
    await flush();
    const inputs = calls('estimate.baseline').map((c) => c.input as BaselineInput);
    expect(inputs.map((i) => i.modelPath).sort()).toEqual(['/models/qwen', '/runs/r1/model']);
    expect(inputs.every((i) => i.adapterDir === undefined && i.limit === 50 && i.seed === 0)).toBe(true);
    await settle(EVAL_POLL_MS + 100);
    await flush();
    // Neither row has an adapter: they are told apart by job id.
    expect(wrapper!.get('[data-testid="adapter-eval-tuned"]').text()).toContain('This fine-tuned model');
    expect(wrapper!.get('[data-testid="adapter-eval-delta"]').text()).toBe('−1.250');
  });

  it('says in words why a call failed and cancels the fine-tune’s jobs already started', async () => {
    const { calls } = await open('lora', {
      'estimate.baseline': (input) => {
        if (input.adapterDir) return { jobs: [{ shots: 0, jobId: 'tuned' }], records: 4 };
        throw new Error('No dataset version v7.');
      },
      'jobs.cancel': ({ id }) => job({ id, state: 'cancelled' }),
    });
    await wrapper!.get('[data-testid="adapter-eval-run"]').trigger('click');
    await flush();
    expect(wrapper!.get('[data-testid="adapter-eval-error"]').text()).toBe('No dataset version v7.');
    expect(calls('jobs.cancel').map((c) => c.input)).toEqual([{ id: 'tuned' }]);
    expect(calls('estimate.baselineResult')).toHaveLength(0);
    expect(wrapper!.find('[data-testid="adapter-eval-table"]').exists()).toBe(false);
  });

  it('drops a reply to an older request once another entry is selected', async () => {
    let release: (() => void) | undefined;
    const { calls } = await open('lora', {
      'jobs.list': () => [run('r1'), run('r2')],
      'estimate.baseline': async (input) => {
        await new Promise<void>((resolve) => { release = resolve; });
        return { jobs: [{ shots: 0, jobId: input.adapterDir ? 'tuned' : 'base' }], records: 50 };
      },
    });
    await wrapper!.get('[data-testid="adapter-eval-run"]').trigger('click');
    await flush();
    await wrapper!.findAll('[data-testid="adapter-entry"]')[1].trigger('click');
    release!();
    await flush();
    expect(useAdapterEvalStore().entryId).toBeNull();
    expect(calls('estimate.baseline')).toHaveLength(1); // the second call never went out
    expect(calls('estimate.baselineResult')).toHaveLength(0);
  });

  it('points to the Data wizard when there are no datasets', async () => {
    await open('lora', { 'data.list': () => [] });
    expect(wrapper!.get('[data-testid="adapter-eval-no-data"]').text()).toContain('import the eval data in the Data wizard');
    expect(wrapper!.get('[data-testid="adapter-eval-run"]').attributes('disabled')).toBeDefined();
  });
});
