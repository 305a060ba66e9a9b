// Quality scores in the Analyse step with a fake API: the button needs a model folder, starts data.score, follows the
// job's progress through job events, then shows the stored scores' spread; a failed job shows its reason.
import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { Job } from '../../../src-main/common/jobs';
import DataWizard from '../../../src-renderer/src/wizards/DataWizard.vue';
import { useDataStore } from '../../../src-renderer/src/stores/data';
import { createFakeApi, flush } from '../helpers/fake-api';
import { mountWithApp } from '../helpers/mount-app';
import { dataset, OPS, version } from '../helpers/data-fixtures';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const v1 = version({ recordCount: 3 });
const job = (over: Partial<Job> = {}): Job => ({
  id: 'j1', kind: 'score', state: 'running', params: {}, progress: 0, message: null, reason: null, resumable: false,
  runDir: '/runs/score-1', pid: 1, createdAt: '2026-01-01T00:00:00Z', startedAt: null, endedAt: null, ...over,
});

function backend() {
  let scored = false;
  const fake = createFakeApi({
    'data.ops': () => OPS,
    'data.list': () => [dataset({ currentVersion: v1, versions: [v1] })],
    'data.scores': () => ({ names: scored ? [{ name: 'ifd', count: 3, min: 0.41, median: 0.8, max: 1.2 }, { name: 'ppl', count: 3, min: 2, median: 9.5, max: 1e5 }] : [] }),
    'data.score': () => job(),
  });
  return { fake, markScored: () => { scored = true; } };
}

async function open(fake: ReturnType<typeof createFakeApi>) {
  ({ wrapper } = await mountWithApp(DataWizard, fake, '/data?step=analyse'));
  useDataStore().select('chats');
  await flush();
  return wrapper;
}

describe('DataQualityScores', () => {
  it('scores with the model folder, follows the job, then shows min/median/max per score', async () => {
    const { fake, markScored } = backend();
    const w = await open(fake);
    expect(w.get('[data-testid="score-run"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="analyse-model-path"]').setValue('/models/tiny');
    await w.get('[data-testid="score-run"]').trigger('click');
    await flush();
    expect(fake.calls.find((c) => c.method === 'data.score')!.input).toEqual({ versionId: 'v1', modelPath: '/models/tiny' });
    fake.emit('job.updated', job({ progress: 0.5, message: 'scored 1 of 3' }));
    await flush();
    expect(w.get('[data-testid="score-progress"]').text()).toContain('scored 1 of 3');
    markScored();
    fake.emit('job.updated', job({ state: 'completed', progress: 1 }));
    await flush();
    await new Promise((r) => setTimeout(r, 50));
    await flush();
    expect(w.find('[data-testid="score-progress"]').exists()).toBe(false);
    expect(w.get('[data-testid="score-ifd"]').text()).toMatch(/ifd\s*3\s*0\.410\s*0\.800\s*1\.200/);
    expect(w.get('[data-testid="score-ppl"]').text()).toContain('1.00e+5');
  });

  it('shows why a score job failed', async () => {
    const { fake } = backend();
    const w = await open(fake);
    await w.get('[data-testid="analyse-model-path"]').setValue('/models/none');
    await w.get('[data-testid="score-run"]').trigger('click');
    await flush();
    fake.emit('job.updated', job({ state: 'failed', reason: 'Error: /models/none has no config.json\n    at stack' }));
    await flush();
    expect(w.get('[data-testid="score-error"]').text()).toContain('Scoring failed: /models/none has no config.json');
  });
});
