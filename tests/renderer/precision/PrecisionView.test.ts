// The number-format explorer in happy-dom: typed values, their bit cells, overflow flags, the limits and the FP8/INT8 knob.
import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import PrecisionView from '../../../src-renderer/src/views/PrecisionView.vue';
import type { HardwareReport } from '../../../src-main/common/hardware';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';
import { parseNumberInput, formatValue } from '../../../src-renderer/src/components/precision/explorer-text';

let wrapper: VueWrapper;
afterEach(() => wrapper?.unmount());

const HARDWARE: HardwareReport = {
  cpu: { model: 'Test CPU', cores: 2, logicalCores: 2, arch: 'x64' }, memory: { totalBytes: 2 ** 34, freeBytes: 2 ** 33 },
  disk: { path: '/', freeBytes: null, totalBytes: null }, gpus: [{ index: 0, name: 'NVIDIA T4', memoryMiB: 15360, computeCapability: '7.5', driver: '550' }],
  gpuProbe: 'nvidia-smi', os: { platform: 'linux', release: '6' }, onnxruntime: { version: '1.22.0', providers: [{ name: 'cpu', works: true }] },
  node: 'v20', detectedAt: '2026-01-01T00:00:00Z',
};

async function mountView(): Promise<VueWrapper> {
  const { wrapper: w } = await mountWithApp(PrecisionView, createFakeApi({ 'hardware.get': () => HARDWARE }), '/precision');
  await flush();
  return w;
}

async function typeNumber(text: string) {
  wrapper = await mountView();
  await wrapper.get('[data-testid="precision-input"]').setValue(text);
}
const row = (id: string) => wrapper.get(`[data-testid="conv-${id}"]`);
/** The cells of one field of a row's bit pattern, as a string of 0s and 1s. */
const field = (id: string, part: string) => row(id).findAll(`[data-part="${part}"] .cell`).map((c) => c.text()).join('');

describe('PrecisionView', () => {
  it('65520: fp16 overflows to infinity, bf16 keeps it (as 65536), E4M3 saturates', async () => {
    await typeNumber('65520');
    expect(row('fp16').attributes('data-outcome')).toBe('overflow');
    expect(row('fp16').get('[data-testid="conv-value"]').text()).toBe('+∞');
    expect(row('fp16').get('[data-testid="conv-outcome"]').text()).toBe('overflow');
    expect(field('fp16', 'exponent')).toBe('11111');
    expect(row('bf16').attributes('data-outcome')).toBe('rounded');
    expect(row('bf16').get('[data-testid="conv-value"]').text()).toBe('65536');
    expect(row('fp8e4m3').get('[data-testid="conv-value"]').text()).toBe('448');
    expect(row('fp8e4m3').get('[data-testid="conv-outcome"]').text()).toBe('overflow → max');
    expect(row('fp32').attributes('data-outcome')).toBe('exact');
    // The non-saturating E4M3 mode turns the same overflow into NaN.
    await wrapper.get('[data-testid="e4m3-nan-mode"]').setValue(true);
    expect(row('fp8e4m3').get('[data-testid="conv-value"]').text()).toBe('NaN');
  });

  it('draws 1.0 in fp16 as 0 01111 0000000000, with a spoken description', async () => {
    await typeNumber('1');
    expect([field('fp16', 'sign'), field('fp16', 'exponent'), field('fp16', 'mantissa')]).toEqual(['0', '01111', '0000000000']);
    expect(row('fp16').get('[data-testid="bit-cells"]').attributes('aria-label')).toBe('fp16 bits: sign 0, exponent 01111, mantissa 0000000000');
    expect(row('fp16').text()).toContain('0x3c00');
    expect(field('fp32', 'mantissa')).toHaveLength(23);
    expect(field('fp8e5m2', 'exponent')).toBe('01111');
    expect(row('fp16').get('[data-testid="conv-abs"]').text()).toBe('0');
  });

  it('quick buttons: 1e-8 underflows in fp16 but not in bf16, and the reason is shown', async () => {
    wrapper = await mountView();
    await wrapper.get('[data-testid="quick-1e-8"]').trigger('click');
    expect(row('fp16').attributes('data-outcome')).toBe('underflow');
    expect(row('fp16').get('[data-testid="conv-rel"]').text()).toBe('100 %');
    expect(row('bf16').attributes('data-outcome')).toBe('rounded');
    expect(wrapper.get('[data-testid="quick-why"]').text()).toMatch(/loss scaling/);
    await wrapper.get('[data-testid="quick-6e-8"]').trigger('click');
    expect(row('fp16').attributes('data-outcome')).toBe('subnormal');
  });

  it('says so when the text is not a number', async () => {
    await typeNumber('twelve');
    expect(wrapper.find('[data-testid="precision-invalid"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="conversions"]').exists()).toBe(false);
  });

  it('lists each format’s limits', async () => {
    wrapper = await mountView();
    expect(wrapper.get('[data-testid="limits-fp16"] [data-testid="limit-max"]').text()).toBe('65504');
    expect(wrapper.get('[data-testid="limits-fp8e4m3"] [data-testid="limit-max"]').text()).toBe('448');
    expect(wrapper.get('[data-testid="limits-fp16"]').text()).toContain('2^-24');
    expect(wrapper.get('[data-testid="limits-fp8e5m2"] [data-testid="limit-max"]').text()).toBe('57344');
  });

  it('FP8 vs INT8: fitting the scale to E4M3 clips INT8; fitting it to INT8 clips nothing', async () => {
    wrapper = await mountView();
    const clipped = (id: string) => Number(wrapper.get(`[data-testid="quant-${id}"] [data-testid="quant-clipped"]`).text());
    const flushed = (id: string) => Number(wrapper.get(`[data-testid="quant-${id}"] [data-testid="quant-flushed"]`).text());
    expect(clipped('fp8e4m3')).toBe(0); // the default scale fits E4M3
    expect(clipped('int8')).toBeGreaterThan(100);
    await wrapper.get('[data-testid="fit-int8"]').trigger('click');
    expect([clipped('fp8e4m3'), clipped('fp8e5m2'), clipped('int8')]).toEqual([0, 0, 0]);
    expect(flushed('int8')).toBeGreaterThan(0);
    await wrapper.get('[data-testid="quant-scale-slider"]').setValue('4');
    expect(flushed('int8')).toBeGreaterThan(1500);
    expect(wrapper.get('[data-testid="quant-scale"]').text()).toBe('16');
    expect(wrapper.get('[data-testid="quant-histogram"]').attributes('aria-label')).toMatch(/INT8 holds magnitudes/);
  });
});

describe('explorer text', () => {
  it('reads fractions, powers, exponents and infinities', () => {
    expect([parseNumberInput('1/3'), parseNumberInput('2^-24'), parseNumberInput('2**10'), parseNumberInput(' -1e-8 ')]).toEqual([1 / 3, 2 ** -24, 1024, -1e-8]);
    expect([parseNumberInput('-inf'), parseNumberInput(''), parseNumberInput('abc'), parseNumberInput('1/x')]).toEqual([-Infinity, null, null, null]);
    expect(parseNumberInput('nan')).toBeNaN();
    expect([formatValue(-0), formatValue(3.140625), formatValue(5.960464477539063e-8), formatValue(-2)]).toEqual(['−0', '3.140625', '5.960464477539063e-8', '−2']);
  });
  it('says what each device supports and what to train in: fp16 + dynamic scaling on a T4, emulated here; fp32 on the CPU', async () => {
    wrapper = await mountView();
    const gpu = wrapper.get('[data-testid="support-gpu"]');
    expect(gpu.text()).toContain('NVIDIA T4');
    expect(gpu.get('[data-testid="support-choice"]').text()).toBe('train in fp16 + dynamic loss scaling');
    expect(gpu.text()).toContain('emulated here');
    expect(gpu.text()).toMatch(/no bf16 \(it needs 8\.0\)/);
    expect(wrapper.get('[data-testid="support-cpu"] [data-testid="support-choice"]').text()).toBe('train in fp32');
  });
});
