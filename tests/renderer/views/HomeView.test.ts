// Home shows the five steps in order, all built, with links to their pages, the other pages, and the hardware card.
import { describe, expect, it } from 'vitest';
import HomeView from '../../../src-renderer/src/views/HomeView.vue';
import { createFakeApi } from '../helpers/fake-api';
import { hardwareReport } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

describe('HomeView', () => {
  it('shows Data → Adapter → Precision → Estimator → Train, each explained; the unbuilt ones say so', async () => {
    const fake = createFakeApi({ 'hardware.get': () => hardwareReport() });
    const { wrapper } = await mountWithApp(HomeView, fake);
    const steps = wrapper.findAll('[data-testid="flow-step"]');
    expect(steps.map((s) => s.get('h3').text().replace(/^Step \d+: /, ''))).toEqual(['Data', 'Adapter', 'Precision', 'Estimator', 'Train']);
    // The Data wizard is built and links to its page.
    expect(steps[0].find('[data-testid="flow-step-status"]').exists()).toBe(false);
    expect(steps[0].get('[data-testid="open-data"]').attributes('href')).toMatch(/\/data$/);
    // The Adapter wizard is built: it links to its page and says what it covers.
    const adapter = steps[1];
    expect(adapter.find('[data-testid="flow-step-status"]').exists()).toBe(false);
    expect(adapter.get('[data-testid="open-adapter"]').attributes('href')).toMatch(/\/adapter$/);
    expect(adapter.text()).toMatch(/LoRA\+, PLoRA, P-tuning, prefix, full.*hands the settings to Train/);
    // Precision is built: the explorer, the hardware check, memory and time per format, and the trial run.
    expect(steps[2].find('[data-testid="flow-step-status"]').exists()).toBe(false);
    expect(steps[2].get('[data-testid="open-precision"]').attributes('href')).toMatch(/\/precision$/);
    expect(steps[2].text()).toMatch(/number-format explorer, what this machine supports, the estimator’s peak memory and step time for fp32, bf16 and fp16.*trial run.*whether loss scaling is needed.*set on the Train page/i);
    // The Estimator is built: memory, fixes, time, cost, the alternatives advisor and the measured baseline with exact match.
    expect(steps[3].find('[data-testid="flow-step-status"]').exists()).toBe(false);
    expect(steps[3].text()).toMatch(/exact match/i);
    expect(steps[3].get('[data-testid="open-estimator"]').attributes('href')).toMatch(/\/estimator$/);
    expect(steps[3].text()).toMatch(/alternatives advisor/i);
    // Train is usable (as a plain form until the wizards exist) and links to its page.
    expect(steps[4].find('[data-testid="flow-step-status"]').exists()).toBe(false);
    expect(steps[4].get('[data-testid="open-train"]').attributes('href')).toMatch(/\/train$/);
    wrapper.unmount();
  });

  it('links to Runs, Models and Settings', async () => {
    const fake = createFakeApi({ 'hardware.get': () => hardwareReport() });
    const { wrapper } = await mountWithApp(HomeView, fake);
    const hrefs = wrapper.findAll('a').map((a) => a.attributes('href'));
    for (const target of ['/runs', '/models', '/settings']) expect(hrefs.some((h) => h?.endsWith(target))).toBe(true);
    wrapper.unmount();
  });

  it('asks the back end for the hardware and shows it in the hardware card', async () => {
    const fake = createFakeApi({ 'hardware.get': () => hardwareReport() });
    const { wrapper } = await mountWithApp(HomeView, fake);
    expect(fake.calls.some((c) => c.method === 'hardware.get')).toBe(true);
    expect(wrapper.get('[data-testid="hw-cores"]').text()).toBe('16');
    await wrapper.get('[data-testid="hardware-card"] button').trigger('click');
    expect(fake.calls.filter((c) => c.method === 'hardware.get').at(-1)?.input).toEqual({ refresh: true });
    wrapper.unmount();
  });
});
