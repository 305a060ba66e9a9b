// The data.* API methods, mapped onto the data use cases over the store's datasets repository.
import { ApiError } from '../../common/errors';
import { OPERATORS, operatorInfo } from '../../data/ops';
import type { DatasetsRepo } from '../../store';
import type { EventHub, Handlers } from '../api-dispatch';
import { cleanVersion, listChanges, previewStep, requireVersion, restoreRecords, undoVersion } from './clean-dataset';
import { DataTasks } from './data-tasks';
import { exportVersion } from './export-dataset';
import { importDataset } from './import-dataset';
import { mixVersions } from './mix-datasets';
import { rowToStored } from './record-codec';

type DataMethod = Extract<keyof Handlers, `data.${string}`>;

export function dataHandlers(repo: () => DatasetsRepo, hub: EventHub): Pick<Handlers, DataMethod> {
  const tasks = new DataTasks(hub);
  return {
    'data.ops': () => OPERATORS.map(operatorInfo),
    'data.list': () => repo().list(),
    'data.get': async ({ name }) => {
      const dataset = await repo().byName(name);
      if (!dataset) throw new ApiError('not-found', `No dataset named "${name}".`);
      return dataset;
    },
    'data.import': (input) => importDataset(repo(), tasks, input),
    'data.cancel': ({ taskId }) => ({ cancelled: tasks.cancel(taskId) }),
    'data.records': async ({ versionId, offset, limit, search }) => {
      await requireVersion(repo(), versionId);
      const page = await repo().page(versionId, offset, limit, search);
      return { total: page.total, rows: page.rows.map(rowToStored) };
    },
    'data.preview': (input) => previewStep(repo(), input),
    'data.clean': (input) => cleanVersion(repo(), tasks, input),
    'data.changes': (input) => listChanges(repo(), input),
    'data.restore': (input) => restoreRecords(repo(), input),
    'data.undo': ({ versionId }) => undoVersion(repo(), versionId),
    'data.mix': (input) => mixVersions(repo(), tasks, input),
    'data.export': (input) => exportVersion(repo(), input),
  };
}
