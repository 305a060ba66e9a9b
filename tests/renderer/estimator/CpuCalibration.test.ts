// The Estimator on this CPU: no calibration → a "Measure this CPU" button; pressing it runs the calibrate job, then the
// measured GFLOP/s and when are shown and the estimate has times; an earlier run as the basis is said in words.
import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { CpuCalibration } from '../../../src-main/common/calibration';
import type { EstimateOptions, EstimateRunOutput } from '../../../src-main/common/estimate';
import type { Job } from '../../../src-main/common/jobs';
import EstimatorView from '../../../src-renderer/src/views/EstimatorView.vue';
import { CALIBRATE_POLL_MS } from '../../../src-renderer/src/stores/estimator';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';

const GB = 2 ** 30;
const options: EstimateOptions = {
  models: [{ name: 'Qwen2.5-0.5B', architecture: 'Qwen2ForCausalLM', params: 4.9e8, numLayers: 24, hiddenSize: 896, numHeads: 14, vocabSize: 151936, maxPositions: 32768 }],
  devices: [{ id: 'cpu', name: 'This computer (CPU)', kind: 'cpu', memoryBytes: 16 * GB, bf16: false, pricePerHour: null }],
  precisions: ['fp32', 'fp16', 'bf16'], targets: ['q_proj', 'v_proj'], currency: 'USD', priceDate: '2026-11-27',
};
const CAL: CpuCalibration = { gflops: 251.4, threads: 2, n: 1024, runs: 40, seconds: 8, ortVersion: '1.30.0', cpuModel: 'AMD EPYC', logicalCores: 2, measuredAt: '2026-03-01T10:00:00Z' };

function report(time: EstimateRunOutput['time']): EstimateRunOutput {
  return {
    model: { name: 'Qwen2.5-0.5B', source: 'catalog', architecture: 'Qwen2ForCausalLM', numLayers: 24, hiddenSize: 896 },
    device: { kind: 'cpu', id: 'cpu', name: 'This computer (CPU)', capacityBytes: 16 * GB },
    memory: { components: [{ key: 'weights', bytes: 4 * GB, note: '' }], totalBytes: 4 * GB, perLayerActivationBytes: 1, params: { total: 4.9e8, trainable: 4e6, matmul: 4.5e8 }, warnings: [] },
    verdict: { status: 'fits', usedBytes: 4 * GB, capacityBytes: 16 * GB, marginBytes: 12 * GB, share: 0.25 },
    fixes: [], time, cost: null,
  };
}
const TIME = { flopsPerStep: 1e12, tokensPerStep: 512, tokensPerSecond: 59, stepSeconds: 8.7, totalSeconds: 17000, steps: 1953, source: 'this CPU’s measured MatMul rate, 251 GFLOP/s', basis: 'cpu-benchmark' as const, otherRate: null };

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());
const job = (state: Job['state']): Job => ({ id: 'cal-1', kind: 'calibrate', state, params: {}, progress: 0, message: null, reason: null, resumable: false, runDir: null, pid: null, createdAt: '', startedAt: null, endedAt: null });

describe('CPU calibration on the Estimator page', () => {
  it('offers to measure this CPU, runs the job, then shows GFLOP/s, when, and the times', async () => {
    let calibrated = false;
    let polls = 0;
    const fake = createFakeApi({
      'estimate.options': () => options,
      'estimate.calibration': () => (calibrated ? CAL : null),
      'estimate.run': () => report(calibrated ? TIME : null),
      'estimate.calibrate': () => job('running'),
      'jobs.get': () => {
        polls++;
        calibrated = true;
        return job('completed');
      },
    });
    wrapper = (await mountWithApp(EstimatorView, fake, '/estimator')).wrapper;
    await flush();
    expect(wrapper.get('[data-testid="time-unknown"]').text()).toContain('measure it above');
    const button = wrapper.get('[data-testid="cpu-calibrate"]');
    expect(button.text()).toBe('Measure this CPU (≈10 s)');
    await button.trigger('click');
    expect(wrapper.get('[data-testid="cpu-calibration"]').attributes('data-state')).toBe('measuring');
    expect(wrapper.get('[data-testid="cpu-calibrate"]').text()).toBe('Measuring this CPU…');
    await new Promise((r) => setTimeout(r, CALIBRATE_POLL_MS + 100));
    await flush();
    expect(polls).toBe(1);
    expect(fake.calls.filter((c) => c.method === 'estimate.calibrate')).toHaveLength(1);
    expect(wrapper.get('[data-testid="cpu-calibration"]').attributes('data-state')).toBe('measured');
    expect(wrapper.get('[data-testid="cpu-gflops"]').text()).toBe('251 GFLOP/s');
    expect(wrapper.get('[data-testid="cpu-calibrated-when"]').text()).toMatch(/2 threads, measured .*2026/);
    expect(wrapper.find('[data-testid="cpu-calibrate"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="time-total"]').text()).toBe('4.7 h');
    expect(wrapper.get('[data-testid="time-basis"]').text()).toContain('this CPU’s measured MatMul speed');
  });

  it('says when the ETA comes from an earlier run, with the benchmark’s rate beside it; a failed job says why', async () => {
    const measured = { ...TIME, tokensPerSecond: 80, basis: 'measured-run' as const, otherRate: { basis: 'cpu-benchmark' as const, tokensPerSecond: 59 }, source: 'measured 80 tokens/s of training run abcd1234' };
    const fake = createFakeApi({
      'estimate.options': () => options,
      'estimate.calibration': () => CAL,
      'estimate.run': () => report(measured),
      'estimate.calibrate': () => ({ ...job('failed'), reason: 'engine process exited with code 1' }),
    });
    wrapper = (await mountWithApp(EstimatorView, fake, '/estimator')).wrapper;
    await flush();
    const basis = wrapper.get('[data-testid="time-basis"]');
    expect(basis.attributes('data-basis')).toBe('measured-run');
    expect(basis.text()).toBe('Times from an earlier training run of this model here; this CPU’s measured MatMul speed would say 59 tokens/s.');
    await wrapper.get('[data-testid="cpu-calibrate-again"]').trigger('click');
    await flush();
    expect(wrapper.get('[data-testid="cpu-calibrate-error"]').text()).toContain('engine process exited with code 1');
  });
});
