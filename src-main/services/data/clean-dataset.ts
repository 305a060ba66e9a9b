// data.preview / data.clean / data.changes / data.restore / data.undo: running recipes over stored versions and
// keeping every removed or changed record recoverable.
import { ApiError } from '../../common/errors';
import type { Dataset, DatasetVersion, PreviewOutput, RecordChange, Recipe, RecipeStep } from '../../common/datasets';
import type { MethodOutput, MethodParsedInput } from '../../common/contract';
import { recipeToYaml, resolveRecipe } from '../../data/recipe/recipe-file';
import { runRecipe, type RecipeChange } from '../../data/recipe/run-recipe';
import type { OperatorContext } from '../../data/ops/operator';
import type { ChangeRow, DatasetsRepo } from '../../store';
import { conversationJson, lineageScores, parseConversation, rowToRecord, versionRecords } from './record-codec';
import type { DataTasks } from './data-tasks';
import { tokenCounter } from './analyze-version';

const PREVIEW_SAMPLES = 20;
const CHANGE_BATCH = 5000;

export async function requireVersion(repo: DatasetsRepo, versionId: string): Promise<DatasetVersion> {
  const version = await repo.version(versionId);
  if (!version || version.state === 'importing') throw new ApiError('not-found', `No dataset version with id ${versionId}.`);
  return version;
}

async function datasetOf(repo: DatasetsRepo, version: DatasetVersion): Promise<Dataset> {
  const dataset = await repo.byId(version.datasetId);
  if (!dataset) throw new ApiError('not-found', `The dataset of version ${version.id} is gone.`);
  return dataset;
}

/** Context for operators: other datasets by "name" (current version) or "name@N". */
export function operatorContext(repo: DatasetsRepo, modelPath?: string): OperatorContext {
  return {
    ...(modelPath ? { tokenizer: tokenCounter(modelPath) } : {}),
    openDataset: async (ref) => {
      const [name, v] = ref.split('@');
      const dataset = await repo.byName(name);
      const version = v === undefined ? dataset?.currentVersion : dataset?.versions.find((x) => String(x.version) === v.replace(/^v/, ''));
      if (!version) throw new ApiError('invalid-input', `No dataset "${ref}" to compare against (give a dataset name, or name@version).`);
      return versionRecords(repo, version.id);
    },
  };
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

export async function previewStep(repo: DatasetsRepo, input: MethodParsedInput<'data.preview'>): Promise<PreviewOutput> {
  const version = await requireVersion(repo, input.versionId);
  const steps = resolveRecipe({ steps: [input.step as RecipeStep] }, 'preview');
  const out: PreviewOutput = { examined: 0, kept: 0, removed: 0, changed: 0, samples: [] };
  const scores = steps[0].op.name === 'score_filter' ? await lineageScores(repo, version.id) : null;
  const head = (await repo.recordsFrom(version.id, 0, input.sample)).map(rowToRecord).map((r) => (scores?.has(r.idx) ? { ...r, scores: scores.get(r.idx) } : r));
  const summary = await runRecipe(toAsync(head), steps, operatorContext(repo, input.modelPath), {
    limit: input.sample,
    onChange: (c) => {
      if (out.samples.length < PREVIEW_SAMPLES) out.samples.push({ idx: c.idx, action: c.action, reason: c.reason, before: c.before, after: c.after });
    },
  });
  return { ...out, examined: summary.examined, kept: summary.kept, removed: summary.steps[0].removed, changed: summary.steps[0].changed };
}

function toChangeRow(c: RecipeChange): ChangeRow {
  return { idx: c.idx, step: c.step, operator: c.operator, action: c.action, reason: c.reason, duplicateOf: c.duplicateOf, before: conversationJson(c.before), after: c.after ? conversationJson(c.after) : null };
}

export async function cleanVersion(repo: DatasetsRepo, tasks: DataTasks, input: { taskId?: string; versionId: string; recipe: Recipe; modelPath?: string }): Promise<MethodOutput<'data.clean'>> {
  const parent = await requireVersion(repo, input.versionId);
  const steps = resolveRecipe(input.recipe);
  const yaml = recipeToYaml(input.recipe);
  const ctx = operatorContext(repo, input.modelPath);
  return tasks.run(input.taskId, async (signal, progress) => {
    const started = performance.now();
    const versionId = await repo.createChildVersion(parent, 'clean', yaml);
    const writer = await repo.versionWriter(versionId);
    try {
      let pending: ChangeRow[] = [];
      const withScores = steps.some((s) => s.op.name === 'score_filter');
      const summary = await runRecipe(versionRecords(repo, parent.id, { withScores }), steps, ctx, {
        signal,
        onChange: async (c) => {
          pending.push(toChangeRow(c));
          if (pending.length >= CHANGE_BATCH) {
            await writer.changes(pending);
            pending = [];
          }
        },
        onProgress: (n) => progress.report('cleaning', n, parent.recordCount, 'records', false, n),
      });
      if (pending.length > 0) await writer.changes(pending);
      if (signal.aborted) throw new ApiError('cancelled', 'The recipe run was cancelled; no version was written.');
      await writer.commit();
      progress.report('writing the new version', summary.examined, parent.recordCount, 'records', true, summary.examined);
      await repo.materializeFromParent(versionId, parent.id);
      const seconds = (performance.now() - started) / 1000;
      await repo.finishVersion(versionId, { examined: summary.examined, kept: summary.kept, steps: summary.steps, seconds });
      const version = await requireVersion(repo, versionId);
      return { dataset: await datasetOf(repo, version), version, steps: summary.steps, examined: summary.examined, seconds };
    } catch (err) {
      await writer.rollback();
      await repo.discardVersion(versionId);
      throw err;
    }
  });
}

export async function listChanges(repo: DatasetsRepo, input: MethodParsedInput<'data.changes'>): Promise<MethodOutput<'data.changes'>> {
  await requireVersion(repo, input.versionId);
  const page = await repo.changes(input.versionId, { operator: input.operator, action: input.action }, input.offset, input.limit);
  const rows: RecordChange[] = page.rows.map((r) => ({
    idx: r.idx, step: r.step, operator: r.operator, action: r.action, reason: r.reason, duplicateOf: r.duplicateOf,
    before: parseConversation(r.before), after: r.after ? parseConversation(r.after) : null, restoredAt: r.restoredAt,
  }));
  return { total: page.total, rows, byOperator: await repo.changeCounts(input.versionId) };
}

export async function restoreRecords(repo: DatasetsRepo, input: MethodParsedInput<'data.restore'>): Promise<MethodOutput<'data.restore'>> {
  const version = await requireVersion(repo, input.versionId);
  if (version.kind !== 'clean' || !version.parentVersionId) throw new ApiError('invalid-input', `Version ${version.version} was not made by a recipe: it has nothing to restore.`);
  if ((input.idx === undefined) === (input.operator === undefined)) throw new ApiError('invalid-input', 'Give either a record (idx) or an operator to restore.');
  const restored = await repo.restore(version, { idx: input.idx, operator: input.operator });
  if (restored === 0) {
    const what = input.idx !== undefined ? `record #${input.idx}` : `records of operator ${input.operator}`;
    throw new ApiError('not-found', `Version ${version.version} has no removed or changed ${what} left to restore.`);
  }
  return { restored, dataset: await datasetOf(repo, version) };
}

export async function undoVersion(repo: DatasetsRepo, versionId: string): Promise<Dataset> {
  const version = await requireVersion(repo, versionId);
  const dataset = await datasetOf(repo, version);
  if (!version.parentVersionId) throw new ApiError('invalid-input', `Version ${version.version} is the dataset's first version; there is nothing before it to go back to.`);
  if (dataset.currentVersion?.id !== version.id) throw new ApiError('conflict', `Only the current version (${dataset.currentVersion?.version}) can be undone; version ${version.version} is not current.`);
  await repo.undo(version);
  return datasetOf(repo, version);
}
