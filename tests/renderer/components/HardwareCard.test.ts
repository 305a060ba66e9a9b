// HardwareCard renders a given report: cores, RAM, disk, GPUs (or why none), onnxruntime providers.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import HardwareCard from '../../../src-renderer/src/components/hardware/HardwareCard.vue';
import { hardwareReport } from '../helpers/fixtures';

describe('HardwareCard', () => {
  it('shows the logical core count and RAM in GiB with one decimal', () => {
    const wrapper = mount(HardwareCard, { props: { report: hardwareReport() } });
    expect(wrapper.find('[data-testid="hardware-card"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="hw-cores"]').text()).toBe('16');
    expect(wrapper.get('[data-testid="hw-ram"]').text()).toBe('23.4 GiB');
    expect(wrapper.text()).toContain('AMD Ryzen 7 7840U');
    expect(wrapper.get('[data-testid="hw-disk"]').text()).toContain('120.3 GiB');
    expect(wrapper.get('[data-testid="hw-ort"]').text()).toBe('1.30.0');
  });

  it('says no NVIDIA GPU was found, with the probe’s reason', () => {
    const wrapper = mount(HardwareCard, { props: { report: hardwareReport() } });
    const gpus = wrapper.get('[data-testid="hw-gpus"]').text();
    expect(gpus).toContain('No NVIDIA GPU found');
    expect(gpus).toContain('nvidia-smi not found');
  });

  it('lists GPUs with their memory when there are some', () => {
    const report = hardwareReport({
      gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, computeCapability: '9.0', driver: '550.54' }],
      gpuProbe: 'nvidia-smi: 1 GPU',
    });
    const gpus = mount(HardwareCard, { props: { report } }).get('[data-testid="hw-gpus"]').text();
    expect(gpus).toContain('NVIDIA H100 80GB HBM3');
    expect(gpus).toContain('79.6 GiB');
    expect(gpus).not.toContain('No NVIDIA GPU found');
  });

  it('marks each execution provider as working or not, with the error available', () => {
    const wrapper = mount(HardwareCard, { props: { report: hardwareReport() } });
    const providers = wrapper.get('[data-testid="hw-providers"]');
    const cpu = providers.get('[data-provider="cpu"]');
    const cuda = providers.get('[data-provider="cuda"]');
    expect(cpu.text()).toContain('works');
    expect(cpu.text()).not.toContain('doesn’t work');
    expect(cuda.text()).toContain('doesn’t work');
    expect(cuda.get('details').text()).toContain('libcudart.so.12');
  });

  it('shows an error instead of numbers when the probe failed, and asks for a refresh on click', async () => {
    const wrapper = mount(HardwareCard, { props: { report: null, error: 'timed out' } });
    expect(wrapper.find('[data-testid="hw-cores"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('timed out');
    await wrapper.get('button').trigger('click');
    expect(wrapper.emitted('refresh')).toHaveLength(1);
  });
});
