// The Precision page's trial run with a fake API: Start sends the form, the result is polled until every run ended,
// the table and verdict show; a reply to an older trial is dropped; a refused start shows its message.
import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { DryRunInput, DryRunResult, DryRunVariant } from '../../../src-main/common/precision/dry-run';
import { ApiError } from '../../../src-main/common/errors';
import PrecisionView from '../../../src-renderer/src/views/PrecisionView.vue';
import { gapText, shareText, variantLabel } from '../../../src-renderer/src/components/precision/dry-run-text';
import { DRY_RUN_POLL_MS, usePrecisionDryRunStore } from '../../../src-renderer/src/stores/precision-dry-run';
import { createFakeApi, flush, type FakeHandlers } from '../helpers/fake-api';
import { hardwareReport } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function variant(v: DryRunVariant['variant'], done: boolean, over: Partial<DryRunVariant> = {}): DryRunVariant {
  return {
    variant: v, jobId: `job-${v}`, precision: v === 'reference' ? 'fp32' : 'fp16', lossScale: v === 'scaled' ? 'dynamic' : 'none',
    state: done ? 'completed' : 'running', progress: done ? 1 : 0.4, reason: null, steps: 10, stepsDone: done ? 10 : 4,
    firstLoss: 12.4926, lastLoss: done ? 12.4529 : 12.48, gapToFp32: v === 'reference' ? 0 : v === 'scaled' ? 0.0041 : -0.000018,
    overflowSteps: v === 'scaled' ? 4 : 0, skippedSteps: v === 'scaled' ? 4 : 0, finalLossScale: v === 'scaled' ? 4096 : null, format: 'fp16',
    grad: { underflow: 0.0000488, subnormal: 0.076, overflow: 0, zeros: 0, lines: 5 }, ...over,
  };
}
function result(done: boolean): DryRunResult {
  return {
    precision: 'fp16', done, variants: (['reference', 'unscaled', 'scaled'] as const).map((v) => variant(v, done)),
    verdict: done
      ? { status: 'not-needed', title: 'Loss scaling not needed', reason: 'Without a loss scale fp16’s loss ended 0.0018% below fp32’s.' }
      : { status: 'pending', title: 'Running…', reason: 'The verdict comes once every trial run has finished.' },
  };
}

async function open(handlers: FakeHandlers = {}) {
  let polls = 0;
  const fake = createFakeApi({
    'hardware.get': () => hardwareReport(),
    'precision.dryRun': (input) => ({
      precision: input.precision ?? 'fp16', jobIds: ['job-reference', 'job-unscaled', 'job-scaled'],
      variants: (['reference', 'unscaled', 'scaled'] as const).map((v) => ({ variant: v, jobId: `job-${v}`, runDir: `/runs/dryrun-x-${v}` })),
    }),
    'precision.dryRunResult': () => result(polls++ > 0),
    'jobs.cancel': ({ id }) => ({ id }) as never,
    ...handlers,
  });
  wrapper = (await mountWithApp(PrecisionView, fake, '/precision')).wrapper;
  await flush();
  const calls = (m: string) => fake.calls.filter((c) => c.method === m);
  return { fake, calls };
}

async function fillAndStart(w: VueWrapper) {
  await w.get('[data-testid="dry-run-model"]').setValue('  /models/tiny ');
  await w.get('[data-testid="dry-run-data"]').setValue('/data/train.jsonl');
  await w.get('[data-testid="dry-run-steps"]').setValue(10);
  await w.get('[data-testid="dry-run-start"]').trigger('submit');
  await flush();
}

describe('the trial run', () => {
  it('says it is emulated on the CPU and waits for a model and data before it can start', async () => {
    await open();
    const panel = wrapper!.get('[data-testid="dry-run"]');
    expect(panel.text()).toMatch(/emulated on this computer’s CPU/);
    expect(panel.text()).toMatch(/bf16 is tried without scaling only: it has fp32’s exponent range/);
    expect(panel.get('[data-testid="dry-run-start"]').attributes('disabled')).toBeDefined();
    expect((panel.get('[data-testid="dry-run-steps"]').element as HTMLInputElement).value).toBe('50');
  });

  it('starts with the form’s values, shows progress, polls until every run ended, then the table and the verdict', async () => {
    const { calls } = await open();
    await fillAndStart(wrapper!);
    expect(calls('precision.dryRun').map((c) => c.input)).toEqual([{ model: '/models/tiny', data: '/data/train.jsonl', precision: 'fp16', steps: 10 } satisfies DryRunInput]);
    expect(calls('precision.dryRunResult')[0].input).toEqual({ jobIds: ['job-reference', 'job-unscaled', 'job-scaled'] });
    // First reply: still running, a progress bar per run and no verdict yet.
    expect(wrapper!.findAll('[role="progressbar"]')).toHaveLength(3);
    expect(wrapper!.find('[data-testid="dry-run-verdict"]').exists()).toBe(false);
    expect(wrapper!.find('[data-testid="dry-run-stop"]').exists()).toBe(true);

    await settle(DRY_RUN_POLL_MS + 100);
    await flush();
    const polled = calls('precision.dryRunResult').length;
    expect(polled).toBe(2);
    const table = wrapper!.get('[data-testid="dry-run-table"]');
    expect(table.findAll('tbody tr').map((r) => r.attributes('data-state'))).toEqual(['completed', 'completed', 'completed']);
    const scaled = wrapper!.get('[data-testid="dry-run-scaled"]');
    expect(scaled.get('th').text()).toBe('fp16, dynamic loss scaling');
    expect(scaled.get('[data-testid="dry-run-loss"]').text()).toBe('12.493 → 12.453');
    expect(scaled.get('[data-testid="dry-run-gap"]').text()).toBe('+0.41%');
    expect(scaled.get('[data-testid="dry-run-skipped"]').text()).toBe('4 of 10');
    expect(scaled.get('[data-testid="dry-run-scale"]').text()).toBe('4,096');
    expect(wrapper!.get('[data-testid="dry-run-unscaled"] [data-testid="dry-run-gap"]').text()).toBe('−0.0018%');
    expect(wrapper!.get('[data-testid="dry-run-unscaled"] [data-testid="dry-run-underflow"]').text()).toBe('0.0049%');
    expect(wrapper!.get('[data-testid="dry-run-reference"] [data-testid="dry-run-scale"]').text()).toBe('none');
    expect(wrapper!.text()).toMatch(/The scaled run skipped 4 steps while its scale settled/);
    const verdict = wrapper!.get('[data-testid="dry-run-verdict"]');
    expect(verdict.attributes('data-status')).toBe('not-needed');
    expect(verdict.text()).toMatch(/Loss scaling not needed.*0\.0018% below fp32’s/);
    // Done: no more polling, and Start is back.
    await settle(DRY_RUN_POLL_MS + 100);
    expect(calls('precision.dryRunResult')).toHaveLength(polled);
    expect(wrapper!.get('[data-testid="dry-run-start"]').attributes('disabled')).toBeUndefined();
  });

  it('Stop cancels every run of the trial', async () => {
    const { calls } = await open();
    await fillAndStart(wrapper!);
    await wrapper!.get('[data-testid="dry-run-stop"]').trigger('click');
    await flush();
    expect(calls('jobs.cancel').map((c) => c.input)).toEqual([{ id: 'job-reference' }, { id: 'job-unscaled' }, { id: 'job-scaled' }]);
    usePrecisionDryRunStore().stop();
  });

  it('drops a reply that belongs to an older trial', async () => {
    let release: (r: DryRunResult) => void = () => {};
    const slow = new Promise<DryRunResult>((resolve) => { release = resolve; });
    let first = true;
    await open({
      'precision.dryRunResult': ({ jobIds }) => {
        if (first) {
          first = false;
          return slow; // the first trial's reply arrives late
        }
        return { ...result(true), variants: result(true).variants.map((v) => ({ ...v, jobId: `${jobIds[0]}-new` })) };
      },
    });
    const store = usePrecisionDryRunStore();
    store.form.model = '/m';
    store.form.data = '/d';
    void store.start();
    await flush();
    // A second Start while the first reply hangs (the store would normally disable it; the guard is what is tested).
    await store.start();
    await flush();
    expect(store.result?.done).toBe(true);
    release({ ...result(false), verdict: { status: 'pending', title: 'old', reason: 'old' } });
    await flush();
    expect(store.result?.verdict.title).toBe('Loss scaling not needed');
    expect(store.result?.done).toBe(true);
  });

  it('shows why a start was refused', async () => {
    await open({ 'precision.dryRun': () => { throw new ApiError('invalid-input', '/models/tiny has no config.json'); } });
    await fillAndStart(wrapper!);
    expect(wrapper!.get('[data-testid="dry-run-error"]').text()).toBe('/models/tiny has no config.json');
    expect(wrapper!.find('[data-testid="dry-run-table"]').exists()).toBe(false);
  });
});

describe('dry-run text', () => {
  it('names runs, signs gaps and writes shares with two significant digits', () => {
    expect(variantLabel({ variant: 'unscaled', precision: 'bf16' })).toBe('bf16, no loss scaling');
    expect(variantLabel({ variant: 'reference', precision: 'fp32' })).toBe('fp32 (reference)');
    expect(gapText({ variant: 'reference', gapToFp32: 0 })).toBe('—');
    expect(gapText({ variant: 'unscaled', gapToFp32: null })).toBe('…');
    expect(gapText({ variant: 'unscaled', gapToFp32: 0.025 })).toBe('+2.5%');
    expect([shareText(null), shareText(0), shareText(0.1375), shareText(1e-9)]).toEqual(['—', '0%', '14%', '<0.001%']);
  });
});
