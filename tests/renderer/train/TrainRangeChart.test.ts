// The Train page's range chart: the selected run's latest telemetry as bars against format limits, plus the shares;
// gradients by default, activations (with their per-site overflow table) and weights behind a switch.
import { describe, expect, it } from 'vitest';
import { rangeSummary } from '../../../src-main/common/precision/range-telemetry';
import type { TelemetryLine } from '../../../src-main/common/precision/telemetry-line';
import TrainView from '../../../src-renderer/src/views/TrainView.vue';
import { createFakeApi, flush } from '../helpers/fake-api';
import { job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

const line = (step: number, values: number[], kind: TelemetryLine['kind'] = 'grad'): TelemetryLine => ({ step, kind, ...rangeSummary([new Float32Array(values)]), groups: {} });

/** Step 2's activations: q/k/v inputs around 1, the down_proj input with 600 (> E4M3's 448) and 7e4 (> fp16's 65504). */
function activationLine(step: number): TelemetryLine {
  const qkv = rangeSummary([new Float32Array([0.5, 1, 1.5, 2])]);
  const down = rangeSummary([new Float32Array([3, 600, 7e4, 1])]);
  return {
    step, kind: 'activation', ...rangeSummary([new Float32Array([0.5, 1, 1.5, 2, 3, 600, 7e4, 1])]),
    groups: { qkv_input: qkv, down_proj_input: down },
    tensors: { 'model.layers.0.input_layernorm.output': qkv, 'model.layers.0.mlp.down_proj.input': down },
  };
}

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
    expect(fake.calls).toContainEqual({ method: 'jobs.telemetry', input: { id: 'r1' } });
    expect(wrapper.find('[data-testid="train-range-kind-grad"]').exists()).toBe(false); // one kind: no switch
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

  it('switches to the activations: their histogram, overflow shares and the per-site table', async () => {
    const run = job({ id: 'r1', kind: 'train', state: 'completed', progress: 1, runDir: '/runs/train-1', params: {} });
    const fake = createFakeApi({
      'jobs.list': () => [run],
      'jobs.metrics': () => [{ step: 2, loss: 2.9 }],
      'jobs.telemetry': () => [line(2, [2 ** -30, 0.5], 'grad'), line(2, [0.01, 0.02], 'weight'), activationLine(1), activationLine(2)],
    });
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await flush();
    const chart = () => wrapper.get('[data-testid="train-range"]');
    expect(chart().attributes('data-kind')).toBe('grad');
    expect(wrapper.find('[data-testid="train-range-sites"]').exists()).toBe(false);
    const tabs = wrapper.findAll('[data-testid^="train-range-kind-"]').map((b) => b.text());
    expect(tabs).toEqual(['Gradients', 'Activations', 'Weights']);

    await wrapper.get('[data-testid="train-range-kind-activation"]').trigger('click');
    expect(chart().attributes('data-kind')).toBe('activation');
    expect(chart().attributes('data-step')).toBe('2');
    expect(wrapper.get('[data-testid="train-range-kind-activation"]').attributes('aria-pressed')).toBe('true');
    expect(chart().text()).toContain('Activation magnitudes');
    const filled = wrapper.findAll('[data-testid="train-range-bar"]').filter((b) => Number(b.attributes('data-count')) > 0)
      .map((b) => [b.attributes('data-exp'), b.attributes('data-count')]);
    expect(filled).toEqual([['-1', '1'], ['0', '3'], ['1', '2'], ['9', '1'], ['16', '1']]);
    const share = (id: string) => wrapper.get(`[data-testid="train-range-share-${id}"]`).findAll('td').map((c) => c.text());
    expect(share('fp16')[2]).toBe('12.50%'); // 7e4 of 8
    expect(share('fp8e4m3')[2]).toBe('25.00%'); // 600 and 7e4
    const site = (id: string) => wrapper.get(`[data-testid="train-range-site-${id}"]`).findAll('td').map((c) => c.text());
    expect(site('qkv_input')).toEqual(['< 2^2', '0%', '0%']);
    expect(site('down_proj_input')).toEqual(['< 2^17', '25.00%', '50.00%']);
    expect(wrapper.find('[data-testid="train-range-site-o_proj_input"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="train-range-largest"]').text()).toContain('model.layers.0.mlp.down_proj.input');
    expect(chart().text()).toContain('448');

    await wrapper.get('[data-testid="train-range-kind-weight"]').trigger('click');
    expect(chart().attributes('data-kind')).toBe('weight');
    expect(wrapper.find('[data-testid="train-range-sites"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('shows activations straight away when a run folder holds no gradient lines', async () => {
    const run = job({ id: 'r1', kind: 'train', state: 'completed', progress: 1, runDir: '/runs/train-1', params: {} });
    const fake = createFakeApi({ 'jobs.list': () => [run], 'jobs.metrics': () => [], 'jobs.telemetry': () => [activationLine(3)] });
    const { wrapper } = await mountWithApp(TrainView, fake, '/train');
    await flush();
    expect(wrapper.get('[data-testid="train-range"]').attributes('data-kind')).toBe('activation');
    expect(wrapper.findAll('[data-testid^="train-range-site-"]')).toHaveLength(2);
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
