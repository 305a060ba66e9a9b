// Runs lists jobs with live progress, cancels running ones and starts the engine self-test.
import { describe, expect, it } from 'vitest';
import RunsView from '../../../src-renderer/src/views/RunsView.vue';
import { createFakeApi, flush } from '../helpers/fake-api';
import { job } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

function fakeJobs() {
  return createFakeApi({
    'jobs.list': () => [
      job({ id: 'run', state: 'running', progress: 0.1 }),
      job({ id: 'dead', state: 'interrupted', reason: 'the app quit while it ran', resumable: true, createdAt: '2025-11-27T18:00:00.000Z' }),
    ],
    'jobs.start': (input) => job({ id: 'st', state: 'queued', params: input.params ?? {}, createdAt: '2025-11-27T22:00:00.000Z' }),
    'jobs.cancel': ({ id }) => job({ id, state: 'cancelled', progress: 0.1 }),
    'jobs.resume': ({ id }) => job({ id, state: 'running', progress: 0.5, resumable: false }),
  });
}

describe('RunsView', () => {
  it('shows state, progress %, rate and ETA live from events', async () => {
    const fake = fakeJobs();
    const { wrapper } = await mountWithApp(RunsView, fake, '/runs');
    const row = () => wrapper.get('[data-job-id="run"]');
    expect(row().get('[data-testid="job-state"]').text()).toBe('running');
    expect(row().get('[data-testid="progress-percent"]').text()).toBe('10%');
    fake.emit('job.progress', { id: 'run', progress: 0.55, message: 'step 11/20', rate: 9.87, etaSeconds: 65 });
    await flush();
    expect(row().get('[data-testid="progress-percent"]').text()).toBe('55%');
    expect(row().get('[role="progressbar"]').attributes('aria-valuenow')).toBe('55');
    expect(row().get('[data-testid="job-rate"]').text()).toBe('9.87 /s');
    expect(row().get('[data-testid="job-eta"]').text()).toBe('1m 05s');
    expect(row().get('[data-testid="job-message"]').text()).toBe('step 11/20');
    wrapper.unmount();
  });

  it('shows why an interrupted job stopped and that it can resume, without a cancel button', async () => {
    const { wrapper } = await mountWithApp(RunsView, fakeJobs(), '/runs');
    const row = wrapper.get('[data-job-id="dead"]');
    expect(row.get('[data-testid="job-reason"]').text()).toContain('the app quit while it ran');
    expect(row.find('[data-testid="job-resumable"]').exists()).toBe(true);
    expect(row.find('[data-testid="job-cancel"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('resumes an interrupted job from its checkpoint', async () => {
    const fake = fakeJobs();
    const { wrapper } = await mountWithApp(RunsView, fake, '/runs');
    expect(wrapper.find('[data-job-id="run"] [data-testid="job-resume"]').exists()).toBe(false);
    await wrapper.get('[data-job-id="dead"] [data-testid="job-resume"]').trigger('click');
    await flush();
    expect(fake.calls).toContainEqual({ method: 'jobs.resume', input: { id: 'dead' } });
    expect(wrapper.get('[data-job-id="dead"] [data-testid="job-state"]').text()).toBe('running');
    wrapper.unmount();
  });

  it('cancels a running job', async () => {
    const fake = fakeJobs();
    const { wrapper } = await mountWithApp(RunsView, fake, '/runs');
    await wrapper.get('[data-job-id="run"] [data-testid="job-cancel"]').trigger('click');
    await flush();
    expect(fake.calls).toContainEqual({ method: 'jobs.cancel', input: { id: 'run' } });
    expect(wrapper.get('[data-job-id="run"] [data-testid="job-state"]').text()).toBe('cancelled');
    wrapper.unmount();
  });

  it('starts the engine self-test and lists it first', async () => {
    const fake = fakeJobs();
    const { wrapper } = await mountWithApp(RunsView, fake, '/runs');
    await wrapper.get('[data-testid="start-selftest"]').trigger('click');
    await flush();
    expect(fake.calls).toContainEqual({ method: 'jobs.start', input: { kind: 'selftest', params: { steps: 20, stepMs: 100 } } });
    expect(wrapper.findAll('[data-testid="job-row"]')[0].attributes('data-job-id')).toBe('st');
    wrapper.unmount();
  });
});
