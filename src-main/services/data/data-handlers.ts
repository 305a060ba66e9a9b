// The data.* API methods, mapped onto the data use cases over the store's datasets repository.
import { ApiError } from '../../common/errors';
import { OPERATORS, operatorInfo } from '../../data/ops';
import type { DatasetsRepo } from '../../store';
import type { EventHub, Handlers } from '../api-dispatch';
import { analyzeVersion } from './analyze-version';
import { cleanVersion, listChanges, previewStep, requireVersion, restoreRecords, undoVersion } from './clean-dataset';
import { DataTasks } from './data-tasks';
import { exportVersion } from './export-dataset';
import { importDataset } from './import-dataset';
import { mixVersions } from './mix-datasets';
import { lineageScores, parseConversation, rowToRecord, rowToStored } from './record-codec';
import { ingestScores, startScoring, type ScoreJobStarter } from './score-version';
import type { Job } from '../../common/jobs';
import type { RecordFilter } from '../../common/datasets';

/** Search counts scan the whole version: a scrolling table asks for the same one per page, so keep the last few. */
class MatchCounts {
  private readonly cache = new Map<string, number>();

  async get(repo: DatasetsRepo, versionId: string, recordCount: number, search: string, filter: RecordFilter): Promise<number> {
    // recordCount is in the key: a restore changes it, and with it the answer.
    const key = `${versionId}\u0000${recordCount}\u0000${search}\u0000${JSON.stringify(filter)}`;
    let n = this.cache.get(key);
    if (n === undefined) {
      n = await repo.countMatching(versionId, search, filter);
      this.cache.set(key, n);
      if (this.cache.size > 32) this.cache.delete(this.cache.keys().next().value as string);
    }
    return n;
  }
}

type DataMethod = Extract<keyof Handlers, `data.${string}`>;

export interface DataJobs extends ScoreJobStarter {
  list(): Promise<Job[]>;
}

export interface DataHandlerOptions {
  /** The job supervisor (for score jobs); absent in the CLI's data commands, which then cannot score. */
  jobs?: () => DataJobs;
  runsDir?: string;
}

export function dataHandlers(repo: () => DatasetsRepo, hub: EventHub, options: DataHandlerOptions = {}): Pick<Handlers, DataMethod> {
  const tasks = new DataTasks(hub);
  // A score job's numbers go into the store when it completes (and at start, for jobs that completed while we were away).
  const ingest = (job: Job) => {
    if (job.kind === 'score' && job.state === 'completed') void ingestScores(repo(), job).catch(() => undefined);
  };
  hub.subscribe((event, payload) => {
    if (event === 'job.updated') ingest(payload as Job);
  });
  void (async () => {
    try {
      for (const job of (await options.jobs?.().list()) ?? []) ingest(job);
    } catch {
      // no store, no jobs: nothing to take in
    }
  })();
  const matchCounts = new MatchCounts();
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
    'data.records': async ({ versionId, offset, limit, search, filter }) => {
      const version = await requireVersion(repo(), versionId);
      const page = await repo().page(versionId, offset, limit, search, filter);
      const narrowed = (search && search.trim() !== '') || (filter && Object.values(filter).some((v) => v !== undefined && v !== ''));
      const total = narrowed ? await matchCounts.get(repo(), version.id, version.recordCount, search?.trim() ?? '', filter ?? {}) : version.recordCount;
      return { total, rows: page.rows.map(rowToStored) };
    },
    'data.sources': async ({ versionId }) => {
      await requireVersion(repo(), versionId);
      return repo().sources(versionId);
    },
    'data.preview': (input) => previewStep(repo(), input),
    'data.clean': (input) => cleanVersion(repo(), tasks, input),
    'data.changes': (input) => listChanges(repo(), input),
    'data.duplicates': async ({ versionId, offset, limit }) => {
      const version = await requireVersion(repo(), versionId);
      const page = await repo().duplicateClusters(versionId, offset, limit);
      const clusters = [];
      for (const c of page.clusters) {
        const kept = version.parentVersionId ? await repo().record(version.parentVersionId, c.keptIdx) : undefined;
        clusters.push({
          keptIdx: c.keptIdx,
          copies: c.copies,
          kept: kept ? rowToRecord(kept) : null,
          duplicates: c.members.map((m) => ({ idx: m.idx, operator: m.operator, reason: m.reason, record: parseConversation(m.before), restoredAt: m.restoredAt })),
        });
      }
      return { total: page.total, clusters };
    },
    'data.score': (input) => {
      if (!options.jobs || !options.runsDir) throw new ApiError('unavailable', 'Scoring runs the model in an engine job, which this front door cannot start.');
      return startScoring(repo(), options.jobs(), options.runsDir, input);
    },
    'data.scores': async ({ versionId }) => {
      await requireVersion(repo(), versionId);
      const byName = new Map<string, number[]>();
      for (const scores of (await lineageScores(repo(), versionId)).values()) {
        for (const [name, value] of Object.entries(scores)) byName.set(name, [...(byName.get(name) ?? []), value]);
      }
      return {
        names: [...byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => {
          const sorted = values.sort((a, b) => a - b);
          return { name, count: sorted.length, min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
        }),
      };
    },
    'data.restore': (input) => restoreRecords(repo(), input),
    'data.undo': ({ versionId }) => undoVersion(repo(), versionId),
    'data.analyze': (input) => analyzeVersion(repo(), tasks, input),
    'data.mix': (input) => mixVersions(repo(), tasks, input),
    'data.export': (input) => exportVersion(repo(), input),
  };
}
