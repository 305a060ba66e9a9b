// Loss-based quality scores of dataset versions: starts the score job (data.score), follows it through the jobs store,
// and reads the stored scores (data.scores) once the job is done.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { MethodOutput } from '../../../src-main/common/contract';
import type { Job } from '../../../src-main/common/jobs';
import { api } from '../api';
import { describeError } from '../format';
import { isTerminal, useJobsStore } from './jobs';

export type ScoreSummary = MethodOutput<'data.scores'>['names'];

export const useDataScoresStore = defineStore('dataScores', () => {
  const jobs = useJobsStore();
  /** By version id: the latest score job started from this window, and the scores the version has. */
  const jobIdByVersion = ref<Record<string, string>>({});
  const scoresByVersion = ref<Record<string, ScoreSummary>>({});
  const errorByVersion = ref<Record<string, string | null>>({});

  async function load(versionId: string): Promise<void> {
    try {
      scoresByVersion.value = { ...scoresByVersion.value, [versionId]: (await api.call('data.scores', { versionId })).names };
    } catch (err) {
      errorByVersion.value = { ...errorByVersion.value, [versionId]: describeError(err) };
    }
  }

  /** Main stores a job's scores right after it completes; ask again briefly until they are there. */
  async function loadAfterJob(versionId: string): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      await load(versionId);
      if ((scoresByVersion.value[versionId] ?? []).length > 0) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function score(versionId: string, modelPath: string): Promise<Job | null> {
    errorByVersion.value = { ...errorByVersion.value, [versionId]: null };
    try {
      const job = await api.call('data.score', { versionId, modelPath });
      if (!jobs.byId[job.id]) jobs.applyUpdated(job); // its events may have arrived before this reply
      jobIdByVersion.value = { ...jobIdByVersion.value, [versionId]: job.id };
      const stop = watch(() => jobs.byId[job.id]?.state, (state) => {
        if (!state || !isTerminal(state)) return;
        stop();
        const done = jobs.byId[job.id];
        if (state === 'completed') void loadAfterJob(versionId);
        else errorByVersion.value = { ...errorByVersion.value, [versionId]: `Scoring ${state}: ${(done?.reason ?? 'no reason recorded').replace(/^Error: /, '').split('\n')[0]}` };
      }, { immediate: true });
      return job;
    } catch (err) {
      errorByVersion.value = { ...errorByVersion.value, [versionId]: describeError(err) };
      return null;
    }
  }

  return { jobIdByVersion, scoresByVersion, errorByVersion, load, score };
});
