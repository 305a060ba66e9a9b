// The Train page's range chart: the selected run's latest gradient telemetry as bars against format limits, plus the shares.
import { describe, expect, it } from 'vitest';
import { rangeSummary } from '../../../src-main/common/precision/range-telemetry';
import type { TelemetryLine } from '../../../src-main/common/precision/telemetry-line';
import TrainView from '../../../src-renderer/src/views/TrainView.vue';
import { createFakeApi, flush } from '../helpers/fake-api';
import { job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

const line = (step: number, values: number[]): TelemetryLine => ({ step, kind: 'grad', ...rangeSummary([new Float32Array(values)]), groups: {} });

describe('TrainRangeChart', () => {
  it('shows the latest step as bars with fp16/fp8 limits and the per-format shares', async () => {
    const run = job({ id: 'r1', kind: 'train', state: 'running', progress: 0.2, runDir: '/runs/train-1', params: {} });
    const fake = createFakeApi({
      'jobs.list': () => [run],
      'jobs.metrics': () => [{ step: 2, loss: 2.9 }],
      // Step 2: one value flushed by fp16 (2^-30), one fp16 subnormal (2^-20), two normal (0.5), none too large.
      'jobs.telemetry': () => [line(1, [1, 1]), line(2, [2 ** -30, 2 ** -20, 0.5, 0.5, 0])],
    });
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await flush();
    expect(fake.calls).toContainEqual({ method: 'jobs.telemetry', input: { id: 'r1', kind: 'grad' } });
    const chart = wrapper.get('[data-testid="train-range"]');
    expect(chart.attributes('data-step')).toBe('2');
    const bars = wrapper.findAll('[data-testid="train-range-bar"]');
    expect(bars).toHaveLength(61);
    const filled = bars.filter((b) => Number(b.attributes('data-count')) > 0).map((b) => [b.attributes('data-exp'), b.attributes('data-count')]);
    expect(filled).toEqual([['-30', '1'], ['-20', '1'], ['-1', '2']]);
    expect(wrapper.find('[data-testid="train-range-min-fp16"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="train-range-max-fp16"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="train-range-min-fp8e4m3"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="train-range-min-bf16"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="train-range-offchart"]').text()).toContain('bf16 smallest 2^-133');
    const fp16 = wrapper.get('[data-testid="train-range-share-fp16"]').findAll('td').map((c) => c.text());
    expect(fp16).toEqual(['25.00%', '25.00%', '0%']);
    const e4m3 = wrapper.get('[data-testid="train-range-share-fp8e4m3"]').findAll('td').map((c) => c.text());
    expect(e4m3).toEqual(['50.00%', '0%', '0%']); // 2^-20 and 2^-30 are both below E4M3's 2^-9
    expect(wrapper.text()).toContain('vanish');
    wrapper.unmount();
  });

  it('stays away when the run has no telemetry', async () => {
    const run = job({ id: 'r1', kind: 'train', state: 'completed', progress: 1, runDir: '/runs/train-1', params: {} });
    const fake = createFakeApi({ 'jobs.list': () => [run], 'jobs.metrics': () => [], 'jobs.telemetry': () => [] });
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await flush();
    expect(wrapper.find('[data-testid="train-range"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
