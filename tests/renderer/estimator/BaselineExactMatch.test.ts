// The baseline panel's exact match: the advisor's "answers are short" ticks its checkbox, the request asks for it, and
// the rows get an "Exact match" column and a generated answer beside the expected one; without it, no column.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { BaselineRow } from '../../../src-main/common/alternatives';
import type { Dataset } from '../../../src-main/common/datasets';
import AlternativesAdvisor from '../../../src-renderer/src/components/estimator/AlternativesAdvisor.vue';
import { BASELINE_POLL_MS, useAdvisorStore } from '../../../src-renderer/src/stores/estimator-advisor';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

const dataset = { id: 'd1', name: 'capitals', description: null, license: null, createdAt: '', versions: [], currentVersion: { id: 'v1', datasetId: 'd1', version: 1, parentVersionId: null, kind: 'import', state: 'ready', recordCount: 40, recipe: null, createdAt: '', note: null } } as unknown as Dataset;

let wrapper: VueWrapper | undefined;
afterEach(() => {
  useAdvisorStore().stop();
  wrapper?.unmount();
});
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(exact: boolean) {
  let polls = 0;
  const row = (shots: number, done: boolean): BaselineRow => ({
    shots, jobId: `j${shots}`, state: done ? 'completed' : 'running', progress: done ? 1 : 0.4, loss: done ? 1.5 : null, ppl: done ? Math.exp(1.5) : null,
    scored: done ? 40 : 0, errors: 0, records: 40, reason: null, adapter: null,
    exactMatch: exact && done ? (shots ? 0.25 : 0.05) : null,
    generatedSample: exact && done ? { idx: 3, generated: shots ? 'Lima' : 'The capital is Lima', expected: 'Lima.' } : null,
  });
  const fake = createFakeApi({
    'estimate.alternatives': () => { throw new Error('not needed'); },
    'data.list': () => [dataset],
    'estimate.baseline': () => ({ jobs: [{ shots: 0, jobId: 'j0' }, { shots: 3, jobId: 'j3' }], records: 40 }),
    'estimate.baselineResult': () => ({ rows: [row(0, polls > 0), row(3, polls++ > 0)] }),
  });
  wrapper = (await mountWithApp(AlternativesAdvisor, fake, '/estimator')).wrapper;
  await flush();
  await wrapper.get('[data-testid="baseline-model"]').setValue('/models/qwen');
  return { calls: (m: string) => fake.calls.filter((c) => c.method === m) };
}

async function measure() {
  await wrapper!.get('[data-testid="baseline-measure"]').trigger('click');
  await flush();
  await settle(BASELINE_POLL_MS + 100);
  await flush();
}

describe('baseline exact match', () => {
  it('follows "answers are short", asks for exact match, and shows its column and a generated answer', async () => {
    const { calls } = await open(true);
    const toggle = wrapper!.get('[data-testid="baseline-exact-match-toggle"]');
    expect((toggle.element as HTMLInputElement).checked).toBe(false);
    await wrapper!.get('[data-testid="advisor-short"]').setValue(true);
    await flush();
    expect((toggle.element as HTMLInputElement).checked).toBe(true);
    await measure();
    expect(calls('estimate.baseline')[0].input).toMatchObject({ exactMatch: true, shots: [0, 3] });
    expect(wrapper!.get('[data-testid="baseline-table"] thead').text()).toContain('Exact match');
    expect(wrapper!.get('[data-testid="baseline-0"] [data-testid="baseline-em"]').text()).toBe('5.0 %');
    expect(wrapper!.get('[data-testid="baseline-3"] [data-testid="baseline-em"]').text()).toBe('25.0 %');
    const samples = wrapper!.get('[data-testid="baseline-samples"]').text();
    expect(samples).toContain('zero-shot answered “The capital is Lima” where “Lima.” was expected.');
    expect(samples).toContain('3-shot answered “Lima”');
    expect(wrapper!.get('[data-testid="baseline-exact-match"]').text()).toContain('articles (a, an, the)');
  });

  it('can be unticked, and then measures the loss alone with no exact-match column', async () => {
    const { calls } = await open(false);
    await wrapper!.get('[data-testid="advisor-short"]').setValue(true);
    await wrapper!.get('[data-testid="baseline-exact-match-toggle"]').setValue(false);
    await measure();
    expect(calls('estimate.baseline')[0].input).toMatchObject({ exactMatch: false });
    expect(wrapper!.get('[data-testid="baseline-table"] thead').text()).not.toContain('Exact match');
    expect(wrapper!.find('[data-testid="baseline-em"]').exists()).toBe(false);
    expect(wrapper!.find('[data-testid="baseline-samples"]').exists()).toBe(false);
    expect(wrapper!.get('[data-testid="baseline-3"] [data-testid="baseline-loss"]').text()).toBe('1.500');
  });
});
