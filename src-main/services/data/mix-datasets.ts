// data.mix: versions combined with target ratios into a new dataset (seeded, no record repeated) and, when asked,
// an eval split taken from every source in the same proportion (stratified by source).
import { ApiError } from '../../common/errors';
import type { Dataset, DatasetLicense, DatasetVersion } from '../../common/datasets';
import type { MethodOutput, MethodParsedInput } from '../../common/contract';
import { evalCount, mixCounts, pickIndices, seededRandom, shuffleInPlace } from '../../data/mix/plan-mix';
import type { DatasetsRepo, RecordRow } from '../../store';
import { requireVersion } from './clean-dataset';
import type { DataTasks } from './data-tasks';

const PAGE = 5000;

/** The mix may be used commercially only if every source may; its license lists every source's. */
function combinedLicense(sources: Dataset[]): DatasetLicense {
  const spdx = [...new Set(sources.map((d) => d.license.spdx ?? 'unknown'))].join(' AND ');
  const flags = sources.map((d) => d.license.commercialUse);
  const commercialUse = flags.includes(false) ? false : flags.every((f) => f === true) ? true : null;
  return { spdx, sourceUrl: null, commercialUse };
}

/** Reads the records at the given positions (0-based, in idx order) of a version. */
async function recordsAt(repo: DatasetsRepo, versionId: string, positions: number[]): Promise<RecordRow[]> {
  const out: RecordRow[] = [];
  let position = 0;
  let next = 0;
  let from = 0;
  while (next < positions.length) {
    const rows = await repo.recordsFrom(versionId, from, PAGE);
    for (const row of rows) {
      if (position === positions[next]) {
        out.push(row);
        next += 1;
      }
      position += 1;
    }
    if (rows.length < PAGE) break;
    from = rows[rows.length - 1].idx + 1;
  }
  return out;
}

async function writeDataset(repo: DatasetsRepo, name: string, description: string, license: DatasetLicense, kind: DatasetVersion['kind'], rows: RecordRow[], report: unknown): Promise<Dataset> {
  const { datasetId, versionId } = await repo.createDataset(name, description, license, kind);
  try {
    for (let i = 0; i < rows.length; i += PAGE) await repo.appendRecords(versionId, rows.slice(i, i + PAGE).map((r, k) => ({ ...r, idx: i + k })));
    await repo.finishVersion(versionId, report);
  } catch (err) {
    await repo.discardVersion(versionId);
    throw err;
  }
  return (await repo.byId(datasetId))!;
}

export async function mixVersions(repo: DatasetsRepo, tasks: DataTasks, input: MethodParsedInput<'data.mix'>): Promise<MethodOutput<'data.mix'>> {
  const evalName = `${input.name}-eval`;
  for (const name of input.evalFraction > 0 ? [input.name, evalName] : [input.name]) {
    if (await repo.nameTaken(name)) throw new ApiError('conflict', `A dataset named "${name}" already exists; choose another name.`);
  }
  const versions = await Promise.all(input.sources.map((s) => requireVersion(repo, s.versionId)));
  const datasets = await Promise.all(versions.map(async (v) => (await repo.byId(v.datasetId))!));
  const labels = versions.map((v, i) => `${datasets[i].name}@${v.version}`);
  let counts: number[];
  try {
    counts = mixCounts(versions.map((v) => v.recordCount), input.sources.map((s) => s.ratio), input.total, labels);
  } catch (err) {
    throw new ApiError('invalid-input', `Cannot mix: ${(err as Error).message}.`);
  }
  return tasks.run(input.taskId, async (signal, progress) => {
    const random = seededRandom(input.seed);
    const train: RecordRow[] = [];
    const held: RecordRow[] = [];
    const perSource: { source: string; ratio: number; records: number; eval: number }[] = [];
    for (let i = 0; i < versions.length; i++) {
      if (signal.aborted) throw new ApiError('cancelled', 'The mix was cancelled; nothing was written.');
      progress.report(`reading ${labels[i]}`, i, versions.length, 'sources', true);
      const picked = (await recordsAt(repo, versions[i].id, pickIndices(versions[i].recordCount, counts[i], random))).map((r) => ({ ...r, source: labels[i] }));
      shuffleInPlace(picked, random);
      const n = evalCount(picked.length, input.evalFraction);
      held.push(...picked.slice(0, n));
      train.push(...picked.slice(n));
      perSource.push({ source: labels[i], ratio: input.sources[i].ratio, records: picked.length - n, eval: n });
    }
    shuffleInPlace(train, random);
    shuffleInPlace(held, random);
    const description = `Mix of ${perSource.map((p) => `${p.source} (ratio ${p.ratio}, ${p.records} records)`).join(', ')}; seed ${input.seed}.`;
    const license = combinedLicense(datasets);
    const report = { seed: input.seed, evalFraction: input.evalFraction, sources: perSource };
    progress.report('writing', versions.length, versions.length, 'sources', true);
    const dataset = await writeDataset(repo, input.name, description, license, 'mix', train, report);
    const evalSet = held.length > 0 ? await writeDataset(repo, evalName, `Eval split of ${input.name}: ${description}`, license, 'split', held, report) : null;
    return { dataset, eval: evalSet };
  });
}
