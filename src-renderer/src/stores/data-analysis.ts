// The data store's analysis slice: data.analyze per version (long: progress, cancel) and the duplicate-cluster browser with restore.
import { reactive, ref, shallowRef, type ComputedRef } from 'vue';
import type { MethodOutput } from '../../../src-main/common/contract';
import type { DatasetAnalysis } from '../../../src-main/common/data-analysis';
import type { Dataset, DatasetVersion } from '../../../src-main/common/datasets';
import { api } from '../api';
import { describeError } from '../format';

export type DuplicatesPage = MethodOutput<'data.duplicates'>;
export const DUPLICATES_PAGE = 10;

interface AnalysisDeps {
  version: ComputedRef<DatasetVersion | null>;
  /** The store's task runner (fresh task id, progress, cancel) for the 'analyze' kind. */
  runAnalyzeTask: <T>(fn: (taskId: string) => Promise<T>) => Promise<T | null>;
  upsertDataset: (d: Dataset) => void;
}

export function analysisSlice({ version, runAnalyzeTask, upsertDataset }: AnalysisDeps) {
  /** Analyses made in this window, by version id (the server keeps them too, so asking again is instant). */
  const analyses = shallowRef<Record<string, DatasetAnalysis>>({});
  const analysisModelPath = ref('');
  const duplicates = shallowRef<DuplicatesPage | null>(null);
  const duplicatesOffset = ref(0);
  const duplicatesError = ref<string | null>(null);
  const restoringIdx = reactive(new Set<number>());

  async function analyze(options: { refresh?: boolean } = {}): Promise<DatasetAnalysis | null> {
    const v = version.value;
    if (!v) return null;
    const modelPath = analysisModelPath.value.trim() || undefined;
    const call = (refresh: boolean) => runAnalyzeTask((taskId) => api.call('data.analyze', { taskId, versionId: v.id, modelPath, refresh }));
    let out = await call(options.refresh ?? false);
    // The kept analysis is not dropped when records are restored into the version: a count that disagrees means it is stale.
    if (out && !options.refresh && out.records !== v.recordCount) out = await call(true);
    if (out) analyses.value = { ...analyses.value, [v.id]: out };
    return out;
  }

  async function loadDuplicates(offset = duplicatesOffset.value): Promise<void> {
    const v = version.value;
    if (!v || v.kind !== 'clean') {
      duplicates.value = null;
      return;
    }
    duplicatesOffset.value = Math.max(0, offset);
    try {
      duplicates.value = await api.call('data.duplicates', { versionId: v.id, offset: duplicatesOffset.value, limit: DUPLICATES_PAGE });
      duplicatesError.value = null;
    } catch (err) {
      duplicatesError.value = describeError(err);
    }
  }

  /** Puts one removed copy back into the clean version, then re-reads the clusters (and forgets the now stale analysis). */
  async function restoreDuplicate(idx: number): Promise<boolean> {
    const v = version.value;
    if (!v) return false;
    restoringIdx.add(idx);
    try {
      const out = await api.call('data.restore', { versionId: v.id, idx });
      upsertDataset(out.dataset);
      const rest = { ...analyses.value };
      delete rest[v.id];
      analyses.value = rest;
      await loadDuplicates();
      return true;
    } catch (err) {
      duplicatesError.value = describeError(err);
      return false;
    } finally {
      restoringIdx.delete(idx);
    }
  }

  return { analyses, analysisModelPath, duplicates, duplicatesOffset, duplicatesError, restoringIdx, analyze, loadDuplicates, restoreDuplicate };
}
