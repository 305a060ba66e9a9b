// The data progress bar: share done, rows per second (even when the import counts bytes), ETA, and Cancel.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import DataProgressBar from '../../../src-renderer/src/components/data/DataProgressBar.vue';

describe('DataProgressBar', () => {
  it('shows bytes done, the rows read, rows per second and the ETA; Cancel emits', async () => {
    const wrapper = mount(DataProgressBar, {
      props: {
        label: 'Importing',
        progress: {
          taskId: 't', phase: 'reading train.jsonl', done: 5 * 1024 ** 2, total: 20 * 1024 ** 2, unit: 'bytes', ratePerSecond: 1024 ** 2,
          etaSeconds: 15, records: 12_000, recordsPerSecond: 4_000,
        },
      },
    });
    expect(wrapper.text()).toContain('reading train.jsonl');
    expect(wrapper.get('[data-testid="progress-percent"]').text()).toBe('25%');
    expect(wrapper.get('[data-testid="progress-counts"]').text()).toBe('5.0 MiB of 20.0 MiB · 12,000 rows');
    expect(wrapper.get('[data-testid="progress-rate"]').text()).toBe('4,000 rows/s');
    expect(wrapper.get('[data-testid="progress-eta"]').text()).toBe('15s');
    await wrapper.get('[data-testid="data-cancel"]').trigger('click');
    expect(wrapper.emitted('cancel')).toHaveLength(1);
  });

  it('counts rows without a total and says it is starting before the first event', async () => {
    const wrapper = mount(DataProgressBar, { props: { label: 'Cleaning', progress: null } });
    expect(wrapper.get('[data-testid="progress-counts"]').text()).toBe('Starting…');
    await wrapper.setProps({
      progress: { taskId: 't', phase: 'cleaning', done: 300, total: null, unit: 'rows', ratePerSecond: 150, etaSeconds: null, records: null, recordsPerSecond: null },
    });
    expect(wrapper.get('[data-testid="progress-counts"]').text()).toBe('300 rows');
    expect(wrapper.get('[data-testid="progress-rate"]').text()).toBe('150 rows/s');
    expect(wrapper.get('[data-testid="progress-eta"]').text()).toBe('—');
  });
});
