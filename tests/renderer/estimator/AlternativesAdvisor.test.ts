// The advisor section of the estimator page in happy-dom: the three questions, the comparison table, the reasons, and
// the measured baseline's jobs followed to their result.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { Alternative, BaselineRow, EstimateAlternativesInput, EstimateAlternativesOutput } from '../../../src-main/common/alternatives';
import type { Dataset } from '../../../src-main/common/datasets';
import EstimatorView from '../../../src-renderer/src/views/EstimatorView.vue';
import { ESTIMATE_DEBOUNCE_MS } from '../../../src-renderer/src/stores/estimator';
import { BASELINE_POLL_MS, useAdvisorStore } from '../../../src-renderer/src/stores/estimator-advisor';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

const GB = 2 ** 30;
const verdict = (used: number, cap = 24 * GB) => ({ status: used > cap ? 'oom' as const : 'fits' as const, usedBytes: used, capacityBytes: cap, marginBytes: cap - used, share: used / cap });
const cost = (c: number) => ({ hours: 1, energyKwh: 0.3, electricityCost: null, cloudCost: c });

function alt(kind: Alternative['kind'], over: Partial<Alternative> = {}): Alternative {
  return {
    kind, trains: false, trainableParams: 0, memory: { totalBytes: 14 * GB, verdict: verdict(14 * GB), phase: 'inference' },
    oneTime: { flops: 0, seconds: 0, cost: cost(0) },
    perRequest: { tokens: 300, extraTokens: 0, flops: 4e12, extraFlops: 0, extraSeconds: 0, extraCost: cost(0) }, repaidAfter: [], notes: [], ...over,
  };
}

function alternatives(input: EstimateAlternativesInput): EstimateAlternativesOutput {
  const trained = (kind: Alternative['kind'], params: number, used: number, repaid: number | null): Alternative => alt(kind, {
    trains: true, trainableParams: params, memory: { totalBytes: used, verdict: verdict(used), phase: 'training' },
    oneTime: { flops: 1e17, seconds: 7200, cost: cost(2.5) }, repaidAfter: [{ versus: 'prompt', requests: null }, { versus: 'few-shot', requests: repaid }],
  });
  return {
    device: { kind: 'gpu', id: 'rtx-4090', name: 'GeForce RTX 4090', capacityBytes: 24 * GB }, baseRequestTokens: 300, currency: 'USD', examplePrice: true,
    alternatives: [
      alt('prompt', { perRequest: { tokens: 450, extraTokens: 150, flops: 6e12, extraFlops: 2e12, extraSeconds: 0.01, extraCost: cost(0.0001) } }),
      alt('few-shot', { perRequest: { tokens: 1050, extraTokens: 750, flops: 1.4e13, extraFlops: 1e13, extraSeconds: 0.05, extraCost: cost(0.0005) } }),
      ...(input.corpusTokens ? [alt('rag', { oneTime: { flops: 1e16, seconds: 600, cost: cost(0.1) } })] : []),
      trained('ptuning', 1.2e6, 20 * GB, 9000), trained('lora', 4e6, 20 * GB, 12_000), trained('full', 6.7e9, 110 * GB, 40_000),
    ],
  };
}

const dataset = { id: 'd1', name: 'support', description: null, license: null, createdAt: '', versions: [], currentVersion: { id: 'v1', datasetId: 'd1', version: 2, parentVersionId: null, kind: 'import', state: 'ready', recipe: null, recordCount: 120, createdAt: '', note: null } } as unknown as Dataset;

let wrapper: VueWrapper | undefined;
afterEach(() => {
  useAdvisorStore().stop();
  wrapper?.unmount();
});
const settle = (ms = ESTIMATE_DEBOUNCE_MS + 50) => new Promise((resolve) => setTimeout(resolve, ms));

async function open() {
  let polls = 0;
  const row = (shots: number, done: boolean): BaselineRow => ({
    shots, jobId: `j${shots}`, state: done ? 'completed' : 'running', progress: done ? 1 : 0.5, loss: done ? (shots ? 1.2 : 2.0) : null,
    ppl: done ? Math.exp(shots ? 1.2 : 2.0) : null, scored: done ? 100 : 0, errors: 0, records: 100, reason: null, adapter: null,
  });
  const fake = createFakeApi({
    'estimate.options': () => { throw new Error('not needed'); },
    'estimate.run': () => { throw new Error('not needed'); },
    'estimate.alternatives': (input) => alternatives(input),
    'data.list': () => [dataset],
    'estimate.baseline': () => ({ jobs: [{ shots: 0, jobId: 'j0' }, { shots: 3, jobId: 'j3' }], records: 100 }),
    'estimate.baselineResult': () => ({ rows: [row(0, polls > 0), row(3, polls++ > 0)] }),
  });
  wrapper = (await mountWithApp(EstimatorView, fake, '/estimator')).wrapper;
  await flush();
  return { fake, calls: (m: string) => fake.calls.filter((c) => c.method === m) };
}

describe('the alternatives advisor', () => {
  it('asks the three questions and compares the alternatives with plain reasons', async () => {
    const { calls } = await open();
    expect(wrapper!.get('[data-testid="advisor"]').text()).toContain('Which capability must improve?');
    const rows = wrapper!.findAll('[data-testid="alternatives-table"] tbody tr').map((r) => r.attributes('data-testid'));
    expect(rows).toEqual(['alt-prompt', 'alt-few-shot', 'alt-ptuning', 'alt-lora', 'alt-full']); // no corpus: no RAG
    expect(wrapper!.get('[data-testid="alt-full"]').attributes('data-verdict')).toBe('oom');
    expect(wrapper!.get('[data-testid="alt-lora"] [data-testid="alt-time"]').text()).toBe('2.0 h');
    expect(wrapper!.get('[data-testid="alt-lora"] [data-testid="alt-cost"]').text()).toBe('2.50 USD');
    expect(wrapper!.get('[data-testid="alt-few-shot"] [data-testid="alt-request"]').text()).toContain('+750 tokens');
    expect(wrapper!.get('[data-testid="alt-lora"] [data-testid="alt-repaid"]').text()).toContain('vs few-shot: 12.0 k');
    const advice = wrapper!.get('[data-testid="advisor-advice"]').text();
    expect(advice).toContain('Name the capability that must improve first');
    expect(advice).toContain('LoRA\'s training is repaid after about 12.0 k requests compared with few-shot prompting');
    expect(advice).toContain('Full fine-tuning does not fit where LoRA does');
    expect(advice).toContain('RAG is left out');
    expect(calls('estimate.alternatives').at(-1)!.input).toMatchObject({ corpusTokens: null, shots: 3 });
  });

  it('keeps the capability in the page state, adds RAG for a corpus, and explains exact match', async () => {
    const { calls } = await open();
    await wrapper!.get('[data-testid="advisor-capability"]').setValue('answer in our tone');
    expect(useAdvisorStore().answers.capability).toBe('answer in our tone');
    await wrapper!.get('[data-testid="advisor-corpus"]').setValue(true);
    await wrapper!.get('[data-testid="advisor-short"]').setValue(true);
    await settle();
    await flush();
    expect(calls('estimate.alternatives').at(-1)!.input).toMatchObject({ corpusTokens: 1_000_000 });
    expect(wrapper!.find('[data-testid="alt-rag"]').exists()).toBe(true);
    const advice = wrapper!.get('[data-testid="advisor-advice"]').text();
    expect(advice).not.toContain('Name the capability');
    expect(advice).toContain('RAG brings it in at request time');
    expect(advice).toContain('exact match is the natural score');
    expect(wrapper!.get('[data-testid="baseline-exact-match-toggle"]').element).toHaveProperty('checked', true); // short answers: exact match is on
  });

  it('measures the baseline: starts the jobs, shows progress, then the losses and what they mean', async () => {
    const { calls } = await open();
    expect(wrapper!.get('[data-testid="baseline-dataset"]').element).toHaveProperty('value', 'v1');
    expect(wrapper!.get('[data-testid="baseline-measure"]').attributes('disabled')).toBeDefined();
    await wrapper!.get('[data-testid="baseline-model"]').setValue('/models/qwen');
    await wrapper!.get('[data-testid="baseline-measure"]').trigger('click');
    await flush();
    expect(calls('estimate.baseline')[0].input).toMatchObject({ modelPath: '/models/qwen', evalVersionId: 'v1', shots: [0, 3], limit: 100 });
    expect(wrapper!.get('[data-testid="baseline-3"]').attributes('data-state')).toBe('running');
    expect(wrapper!.find('[data-testid="baseline-3"] [role="progressbar"]').exists()).toBe(true);
    await settle(BASELINE_POLL_MS + 100);
    await flush();
    expect(wrapper!.get('[data-testid="baseline-0"] [data-testid="baseline-loss"]').text()).toBe('2.000');
    expect(wrapper!.get('[data-testid="baseline-3"] [data-testid="baseline-loss"]').text()).toBe('1.200');
    expect(wrapper!.get('[data-testid="advisor-advice"]').text()).toContain('3 examples lower the base model\'s loss from 2.00 to 1.20');
    const polled = calls('estimate.baselineResult').length;
    await settle(BASELINE_POLL_MS + 100);
    expect(calls('estimate.baselineResult').length).toBe(polled); // done: no more polling
  });
});
