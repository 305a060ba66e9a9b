// The Data wizard's state: datasets and versions, import/clean/mix/analyse with live progress and cancel, previews, changes, restore, export.
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import type { MethodInput, MethodOutput } from '../../../src-main/common/contract';
import type {
  CleanOutput, DataProgressEvent, Dataset, DatasetVersion, ImportInput, MixInput, OperatorInfo, PreviewOutput, Recipe, RecipeStep,
} from '../../../src-main/common/datasets';
import { api } from '../api';
import { describeError } from '../format';
import { analysisSlice } from './data-analysis';

export type DataTaskKind = 'import' | 'clean' | 'mix' | 'analyze';
export type DataArea = 'list' | 'import' | 'clean' | 'changes' | 'restore' | 'mix' | 'export' | 'ops' | 'analyze';
/** A recipe step as the builder edits it: a stable uid (for keys and previews) plus the contract's step. */
export interface BuilderStep extends RecipeStep { uid: string }
export type ChangesPage = MethodOutput<'data.changes'>;
export type ImportResult = MethodOutput<'data.import'>;
export type MixResult = MethodOutput<'data.mix'>;
export type ExportResult = MethodOutput<'data.export'>;
export const CHANGES_PAGE = 50;

let counter = 0;
/** A task id the caller picks, so it can follow progress events and cancel before the call answers. */
export function newTaskId(kind: string): string {
  counter += 1;
  return `${kind}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export const useDataStore = defineStore('data', () => {
  const ops = shallowRef<OperatorInfo[]>([]);
  const datasets = shallowRef<Dataset[]>([]);
  const selectedName = ref<string | null>(null);
  const selectedVersionId = ref<string | null>(null);
  const progress = ref<Record<string, DataProgressEvent>>({});
  const tasks = reactive<Record<DataTaskKind, string | null>>({ import: null, clean: null, mix: null, analyze: null });
  const errors = reactive<Record<DataArea, string | null>>({
    list: null, import: null, clean: null, changes: null, restore: null, mix: null, export: null, ops: null, analyze: null,
  });
  const cancelled = reactive<Record<DataTaskKind, boolean>>({ import: false, clean: false, mix: false, analyze: false });
  const importResult = shallowRef<ImportResult | null>(null);
  const cleanResult = shallowRef<CleanOutput | null>(null);
  const changes = shallowRef<ChangesPage | null>(null);
  const changesFilter = ref<string | null>(null);
  const changesOffset = ref(0);
  const recipe = ref<BuilderStep[]>([]);
  const previews = ref<Record<string, PreviewOutput>>({});
  const previewErrors = ref<Record<string, string>>({});
  const previewing = ref<Record<string, boolean>>({});
  const mixResult = shallowRef<MixResult | null>(null);
  const exportResult = shallowRef<ExportResult | null>(null);
  const exporting = ref(false);
  const restoring = ref(false);

  const selected = computed(() => datasets.value.find((d) => d.name === selectedName.value) ?? null);
  /** The version the wizard works on: the one picked, else the dataset's current one. */
  const version = computed<DatasetVersion | null>(() => {
    const d = selected.value;
    if (!d) return null;
    return d.versions.find((v) => v.id === selectedVersionId.value) ?? d.currentVersion;
  });
  const opsByGroup = computed(() => {
    const groups = new Map<string, OperatorInfo[]>();
    for (const op of ops.value) groups.set(op.group, [...(groups.get(op.group) ?? []), op]);
    return [...groups.entries()].map(([group, list]) => ({ group, ops: list }));
  });
  const progressOf = (kind: DataTaskKind) => (tasks[kind] ? progress.value[tasks[kind]!] ?? null : null);

  function upsertDataset(d: Dataset): void {
    const rest = datasets.value.filter((x) => x.id !== d.id);
    datasets.value = [...rest, d].sort((a, b) => a.name.localeCompare(b.name));
  }

  function select(name: string | null, versionId: string | null = null): void {
    selectedName.value = name;
    selectedVersionId.value = versionId;
    cleanResult.value = null;
    changes.value = null;
    previews.value = {};
  }

  async function loadOps(): Promise<void> {
    try {
      ops.value = await api.call('data.ops', {});
      errors.ops = null;
    } catch (err) {
      errors.ops = describeError(err);
    }
  }

  async function loadList(): Promise<void> {
    try {
      datasets.value = [...(await api.call('data.list', {}))].sort((a, b) => a.name.localeCompare(b.name));
      errors.list = null;
      if (selectedName.value && !selected.value) select(null);
    } catch (err) {
      errors.list = describeError(err);
    }
  }

  async function load(): Promise<void> {
    await Promise.all([loadOps(), loadList()]);
  }

  /** Runs a long call under a fresh task id, so its progress shows and Cancel can name it. */
  async function runTask<T>(kind: DataTaskKind, area: DataArea, fn: (taskId: string) => Promise<T>): Promise<T | null> {
    const taskId = newTaskId(kind);
    tasks[kind] = taskId;
    cancelled[kind] = false;
    errors[area] = null;
    try {
      return await fn(taskId);
    } catch (err) {
      errors[area] = cancelled[kind] ? 'Cancelled: nothing was saved.' : describeError(err);
      return null;
    } finally {
      tasks[kind] = null;
      delete progress.value[taskId];
    }
  }

  async function cancel(kind: DataTaskKind): Promise<void> {
    const taskId = tasks[kind];
    if (!taskId) return;
    cancelled[kind] = true;
    try {
      await api.call('data.cancel', { taskId });
    } catch (err) {
      errors[kind] = describeError(err);
    }
  }

  async function importData(input: Omit<ImportInput, 'taskId'>): Promise<ImportResult | null> {
    importResult.value = null;
    const out = await runTask('import', 'import', (taskId) => api.call('data.import', { ...input, taskId }));
    if (out) {
      importResult.value = out;
      upsertDataset(out.dataset);
      select(out.dataset.name);
    }
    return out;
  }

  /** One page of a version's records (the table keeps its own page cache). */
  function records(input: MethodInput<'data.records'>): Promise<MethodOutput<'data.records'>> {
    return api.call('data.records', input);
  }

  /** The source files of a version (for the table's filter); none when the call fails (an older server). */
  async function sources(versionId: string): Promise<MethodOutput<'data.sources'>> {
    return api.call('data.sources', { versionId }).catch(() => []);
  }

  function addStep(op: string): void {
    const info = ops.value.find((o) => o.name === op);
    recipe.value.push({ uid: newTaskId('step'), op, params: { ...(info?.defaults ?? {}) } });
  }
  function removeStep(uid: string): void {
    recipe.value = recipe.value.filter((s) => s.uid !== uid);
    delete previews.value[uid];
  }
  function moveStep(uid: string, by: -1 | 1): void {
    const i = recipe.value.findIndex((s) => s.uid === uid);
    const j = i + by;
    if (i < 0 || j < 0 || j >= recipe.value.length) return;
    const next = [...recipe.value];
    [next[i], next[j]] = [next[j], next[i]];
    recipe.value = next;
  }
  const recipeForApi = computed<Recipe>(() => ({ steps: recipe.value.map(({ op, params }) => ({ op, params: { ...params } })) }));

  /** One model folder for the whole wizard: its tokenizer counts tokens (length limits, the token histogram). */
  const modelPathOrNone = (): string | undefined => analysis.analysisModelPath.value.trim() || undefined;

  async function preview(uid: string, sample = 2000): Promise<void> {
    const step = recipe.value.find((s) => s.uid === uid);
    const v = version.value;
    if (!step || !v) return;
    previewing.value[uid] = true;
    delete previewErrors.value[uid];
    try {
      previews.value[uid] = await api.call('data.preview', { versionId: v.id, step: { op: step.op, params: { ...step.params } }, sample, modelPath: modelPathOrNone() });
    } catch (err) {
      previewErrors.value[uid] = describeError(err);
    } finally {
      delete previewing.value[uid];
    }
  }

  async function clean(): Promise<CleanOutput | null> {
    const v = version.value;
    if (!v) return null;
    cleanResult.value = null;
    changes.value = null;
    const out = await runTask('clean', 'clean', (taskId) => api.call('data.clean', { taskId, versionId: v.id, recipe: recipeForApi.value, modelPath: modelPathOrNone() }));
    if (out) {
      cleanResult.value = out;
      upsertDataset(out.dataset);
      selectedVersionId.value = out.version.id;
      changesFilter.value = null;
      changesOffset.value = 0;
      await loadChanges();
    }
    return out;
  }

  /** The clean version whose changes are listed: the one just made, else the selected version if it is a clean one. */
  const changesVersionId = computed(() => cleanResult.value?.version.id ?? (version.value?.kind === 'clean' ? version.value.id : null));

  async function loadChanges(): Promise<void> {
    const versionId = changesVersionId.value;
    if (!versionId) return;
    try {
      changes.value = await api.call('data.changes', {
        versionId, offset: changesOffset.value, limit: CHANGES_PAGE, ...(changesFilter.value ? { operator: changesFilter.value } : {}),
      });
      errors.changes = null;
    } catch (err) {
      errors.changes = describeError(err);
    }
  }

  function filterChanges(operator: string | null): Promise<void> {
    changesFilter.value = operator;
    changesOffset.value = 0;
    return loadChanges();
  }
  function pageChanges(offset: number): Promise<void> {
    changesOffset.value = Math.max(0, offset);
    return loadChanges();
  }

  async function restore(target: { idx: number } | { operator: string }): Promise<number | null> {
    const versionId = changesVersionId.value;
    if (!versionId) return null;
    restoring.value = true;
    try {
      const out = await api.call('data.restore', { versionId, ...target });
      upsertDataset(out.dataset);
      errors.restore = null;
      await loadChanges();
      return out.restored;
    } catch (err) {
      errors.restore = describeError(err);
      return null;
    } finally {
      restoring.value = false;
    }
  }

  async function undo(versionId: string): Promise<boolean> {
    try {
      const d = await api.call('data.undo', { versionId });
      upsertDataset(d);
      selectedVersionId.value = null;
      cleanResult.value = null;
      changes.value = null;
      errors.clean = null;
      return true;
    } catch (err) {
      errors.clean = describeError(err);
      return false;
    }
  }

  async function mix(input: Omit<MixInput, 'taskId'>): Promise<MixResult | null> {
    mixResult.value = null;
    const out = await runTask('mix', 'mix', (taskId) => api.call('data.mix', { ...input, taskId }));
    if (out) {
      mixResult.value = out;
      upsertDataset(out.dataset);
      if (out.eval) upsertDataset(out.eval);
    }
    return out;
  }

  async function exportVersion(input: MethodInput<'data.export'>): Promise<ExportResult | null> {
    exporting.value = true;
    exportResult.value = null;
    try {
      exportResult.value = await api.call('data.export', input);
      errors.export = null;
      return exportResult.value;
    } catch (err) {
      errors.export = describeError(err);
      return null;
    } finally {
      exporting.value = false;
    }
  }

  const analysis = analysisSlice({ version, upsertDataset, runAnalyzeTask: (fn) => runTask('analyze', 'analyze', fn) });

  api.on('data.progress', (event) => {
    // Only tasks this window started are followed (another window's import is not ours to show).
    if (Object.values(tasks).includes(event.taskId)) progress.value[event.taskId] = event;
  });

  return {
    ops, datasets, selectedName, selectedVersionId, selected, version, opsByGroup, progress, tasks, cancelled, errors, importResult, cleanResult,
    changes, changesFilter, changesOffset, changesVersionId, recipe, recipeForApi, previews, previewErrors, previewing, mixResult,
    exportResult, exporting, restoring,
    progressOf, select, load, loadOps, loadList, importData, cancel, records, sources, addStep, removeStep, moveStep, preview, clean,
    loadChanges, filterChanges, pageChanges, restore, undo, mix, exportVersion, ...analysis,
  };
});
