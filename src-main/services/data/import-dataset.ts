// data.import: files → a new dataset whose first version is written in batches and made visible only when complete;
// any failure or a cancel removes what was written, so a failed import leaves nothing behind.
import { basename } from 'node:path';
import { ApiError } from '../../common/errors';
import type { ImportReport } from '../../common/datasets';
import type { MethodOutput, MethodParsedInput } from '../../common/contract';
import { importFiles } from '../../data/import/import-files';
import { isDiskFull, readTableFile, type DatasetsRepo } from '../../store';
import type { DataTasks } from './data-tasks';

/** A full disk said as such (the store's error names the data folder), with what the failed import left: nothing. */
function importError(err: unknown): unknown {
  if (!isDiskFull(err)) return err;
  return new ApiError('unavailable', `${(err as Error).message} Nothing of this import was kept; the datasets stored before it are untouched.`);
}

export async function importDataset(repo: DatasetsRepo, tasks: DataTasks, input: MethodParsedInput<'data.import'>): Promise<MethodOutput<'data.import'>> {
  if (await repo.nameTaken(input.name)) throw new ApiError('conflict', `A dataset named "${input.name}" already exists; choose another name.`);
  return tasks.run(input.taskId, async (signal, progress) => {
    const started = performance.now();
    const { datasetId, versionId } = await repo.createDataset(input.name, input.description, input.license, 'import');
    // Records go through a transaction of their own: a crash or cancel mid-import leaves none of them behind.
    const writer = await repo.versionWriter(versionId);
    try {
      const read = await importFiles(input.paths, {
        format: input.format,
        columns: input.columns,
        skipBadRows: input.skipBadRows,
        tableReader: readTableFile,
        signal,
        sink: async (records) => {
          const scores = records.flatMap((r) => Object.entries(r.scores ?? {}).map(([name, value]) => ({ idx: r.idx, name, value })));
          if (scores.length > 0) await writer.scores(scores);
          await writer.records(records.map((r) => ({
            idx: r.idx,
            messages: JSON.stringify(r.conversation.messages),
            system: r.conversation.system ?? null,
            tools: r.conversation.tools ? JSON.stringify(r.conversation.tools) : null,
            sourceFile: r.sourceFile,
            sourceHash: r.sourceHash,
            sourceRow: r.sourceRow,
            source: null,
          })));
        },
        onProgress: (p) => progress.report(`reading ${basename(p.file)}`, p.bytesDone, p.bytesTotal, 'bytes', false, p.records),
      });
      const report: ImportReport = { ...read, seconds: (performance.now() - started) / 1000 };
      progress.report('saving', 1, 1, 'steps', true, report.records);
      await writer.files(report.files);
      await writer.commit();
      await repo.finishVersion(versionId, report);
      const dataset = await repo.byId(datasetId);
      if (!dataset) throw new Error(`dataset ${datasetId} vanished after its import`);
      return { dataset, report };
    } catch (err) {
      await writer.rollback();
      // The import's own error is the one to report: should removing its entry fail too (the disk still full), the
      // version stays `importing`, invisible, and the next open removes it (DatasetsRepo.discardUnfinished).
      await repo.discardVersion(versionId).catch(() => undefined);
      throw err;
    }
  }).catch((err: unknown) => {
    throw importError(err);
  });
}
