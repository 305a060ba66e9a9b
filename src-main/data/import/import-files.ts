// The import pipeline: data files → format detection → canonical conversations in batches for a sink (the store),
// with bad rows skipped into a report on request, byte progress, and cancel. It never writes: the caller's sink does.
import { ApiError } from '../../common/errors';
import type { ImportReport } from '../../common/datasets';
import { DataError, openDataset, type Conversation, type FormatOption, type ParsedRow, type TableReader } from '../formats';
import { sha256File } from './file-hash';
import { listDataFiles } from './list-files';

export interface ImportedRecord {
  idx: number;
  conversation: Conversation;
  sourceFile: string;
  sourceHash: string;
  sourceRow: number;
  /** The row's numeric fields other than the format's (e.g. a rating), stored as scores of the record. */
  scores?: Record<string, number>;
}

export interface ImportProgress { file: string; bytesDone: number; bytesTotal: number; records: number }

export interface ImportOptions {
  format?: FormatOption;
  /** Field → the file's column holding it, for files whose columns are named their own way. */
  columns?: Record<string, string>;
  skipBadRows?: boolean;
  tableReader?: TableReader;
  signal?: AbortSignal;
  batchSize?: number;
  /** Receives each batch of records, in order; its promise is awaited (back-pressure). */
  sink: (records: ImportedRecord[]) => Promise<void>;
  onProgress?: (progress: ImportProgress) => void;
}

/** How many skipped rows the report lists one by one (the count covers all). */
export const REPORTED_PROBLEMS = 100;

/** A data row as a canonical conversation. Plain text becomes one assistant turn (continued pre-training data). */
function toConversation(parsed: ParsedRow, file: string, line: number): Conversation {
  if (parsed.kind === 'chat') return parsed.conversation;
  if (parsed.kind === 'text') return { messages: [{ role: 'assistant', content: parsed.text }] };
  throw DataError.at(file, line, 'pre-tokenized rows (input_ids) cannot be imported as a dataset: they hold no text to clean; train on the file directly');
}

function checkCancel(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ApiError('cancelled', 'The import was cancelled; nothing was kept.');
}

export async function importFiles(paths: readonly string[], options: ImportOptions): Promise<Omit<ImportReport, 'seconds'>> {
  const files = await listDataFiles(paths);
  const bytesTotal = files.reduce((n, f) => n + f.bytes, 0);
  const batchSize = options.batchSize ?? 10_000;
  const problems: ImportReport['problems'] = [];
  const report: Omit<ImportReport, 'seconds'> = { files: [], records: 0, skipped: 0, problems };
  let bytesBefore = 0;
  let batch: ImportedRecord[] = [];
  let lastTick = 0;

  for (const file of files) {
    checkCancel(options.signal);
    const sha256 = await sha256File(file.path);
    const progress = { bytes: 0 };
    let skipped = 0;
    const onBadRow = options.skipBadRows
      ? (problem: DataError) => {
        skipped += 1;
        if (problems.length < REPORTED_PROBLEMS) problems.push({ file: file.path, line: problem.details.line ?? null, reason: problem.message });
      }
      : undefined;
    const dataset = await openDataset(file.path, options.format ?? 'auto', { onBadRow, progress, tableReader: options.tableReader, columns: options.columns });
    let rows = 0;
    for await (const { line, parsed, scores } of dataset.rows) {
      let conversation: Conversation;
      try {
        conversation = toConversation(parsed, file.path, line);
      } catch (err) {
        if (!(err instanceof DataError) || !onBadRow) throw err;
        onBadRow(err);
        continue;
      }
      batch.push({ idx: report.records, conversation, sourceFile: file.path, sourceHash: sha256, sourceRow: line, ...(scores ? { scores } : {}) });
      report.records += 1;
      rows += 1;
      if (batch.length >= batchSize) {
        checkCancel(options.signal);
        await options.sink(batch);
        batch = [];
        const now = performance.now();
        if (now - lastTick > 200) {
          lastTick = now;
          options.onProgress?.({ file: file.path, bytesDone: bytesBefore + progress.bytes, bytesTotal, records: report.records });
        }
      }
    }
    bytesBefore += file.bytes;
    report.files.push({ file: file.path, sha256, format: dataset.format, bytes: file.bytes, rows, skipped });
    report.skipped += skipped;
  }
  checkCancel(options.signal);
  if (batch.length > 0) await options.sink(batch);
  if (report.records === 0) {
    throw new DataError(`${files.map((f) => f.path).join(', ')}: no record could be imported${report.skipped ? ` (${report.skipped} rows skipped; first: ${problems[0]?.reason})` : ''}`, { file: files[0].path });
  }
  options.onProgress?.({ file: files[files.length - 1].path, bytesDone: bytesTotal, bytesTotal, records: report.records });
  return report;
}
