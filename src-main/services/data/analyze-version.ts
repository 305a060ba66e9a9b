// data.analyze: the analysis of a version (DatasetAnalysis), computed once per version and options and kept in the
// store; long, so it reports progress and can be cancelled.
import { ApiError } from '../../common/errors';
import type { DatasetAnalysis } from '../../common/data-analysis';
import type { MethodParsedInput } from '../../common/contract';
import { analyzeRecords } from '../../data/analysis/analyze-dataset';
import type { DataRecord, TokenCounter } from '../../data/ops/operator';
import { TextTokenizer } from '../../models/tokenizer';
import type { DatasetsRepo } from '../../store';
import { requireVersion } from './clean-dataset';
import type { DataTasks, ProgressReporter } from './data-tasks';
import { versionRecords } from './record-codec';

/** Token counts under a model's tokenizer (tokenizer.json in its folder), for length limits and histograms. */
export function tokenCounter(modelPath: string): TokenCounter {
  let tokenizer: TextTokenizer;
  try {
    tokenizer = TextTokenizer.fromFolder(modelPath);
  } catch (err) {
    throw new ApiError('invalid-input', `Cannot count tokens: ${(err as Error).message}`);
  }
  return { count: (text) => tokenizer.encode(text).length };
}

async function* counted(records: AsyncIterable<DataRecord>, total: number, signal: AbortSignal, progress: ProgressReporter): AsyncGenerator<DataRecord> {
  let n = 0;
  for await (const record of records) {
    if (signal.aborted) throw new ApiError('cancelled', 'The analysis was cancelled.');
    yield record;
    n += 1;
    if (n % 1000 === 0) progress.report('analysing', n, total, 'records', false, n);
  }
}

export async function analyzeVersion(repo: DatasetsRepo, tasks: DataTasks, input: MethodParsedInput<'data.analyze'>): Promise<DatasetAnalysis> {
  const version = await requireVersion(repo, input.versionId);
  const options = { modelPath: input.modelPath ?? null, topics: input.topics, seed: input.seed };
  if (!input.refresh) {
    const stored = await repo.analysis(version.id, options);
    if (stored) return stored as DatasetAnalysis;
  }
  const tokenizer = input.modelPath ? tokenCounter(input.modelPath) : undefined;
  return tasks.run(input.taskId, async (signal, progress) => {
    const analysis = await analyzeRecords(counted(versionRecords(repo, version.id), version.recordCount, signal, progress), { tokenizer, topics: input.topics, seed: input.seed });
    await repo.saveAnalysis(version.id, options, analysis);
    return analysis;
  });
}
