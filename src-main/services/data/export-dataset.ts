// data.export: a version as JSONL in the chosen format plus its data card, written to temporary names and renamed
// into place, so an interrupted export never leaves a half-written file under the final name.
import { chmodSync, createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { once } from 'node:events';
import type { DatasetVersion } from '../../common/datasets';
import type { MethodOutput, MethodParsedInput } from '../../common/contract';
import { ApiError } from '../../common/errors';
import { dataCard } from '../../data/export/data-card';
import { toExportRow } from '../../data/export/to-format';
import type { DatasetsRepo } from '../../store';
import { requireVersion } from './clean-dataset';
import { versionRecords } from './record-codec';

const CARD_MARK = '<!-- written by Finetune Studio -->';

/** README.md beside the data, unless a README that is not ours is there: then NAME.README.md (never overwrite theirs). */
function cardPathFor(dataPath: string): string {
  const readme = join(dirname(dataPath), 'README.md');
  if (!existsSync(readme) || readFileSync(readme, 'utf8').startsWith(CARD_MARK)) return readme;
  return join(dirname(dataPath), `${basename(dataPath, extname(dataPath))}.README.md`);
}

async function lineage(repo: DatasetsRepo, version: DatasetVersion): Promise<DatasetVersion[]> {
  const chain: DatasetVersion[] = [version];
  while (chain[0].parentVersionId) {
    const parent = await repo.version(chain[0].parentVersionId);
    if (!parent) break;
    chain.unshift(parent);
  }
  return chain;
}

/**
 * The permission bits the export must keep: an existing file is replaced only with `overwrite`, and then keeps its
 * mode (a 0600 file stays 0600); null for a new file (the process's umask applies).
 */
function existingMode(path: string, overwrite: boolean): number | null {
  if (!existsSync(path)) return null;
  const stat = statSync(path);
  if (stat.isDirectory()) throw new ApiError('invalid-input', `${path} is a folder: give the path of the JSONL file to write.`);
  if (!overwrite) {
    throw new ApiError('conflict', `${path} already exists: nothing was written. Choose another file, or replace it (“Replace an existing file” in the app, --overwrite on the command line).`);
  }
  return stat.mode & 0o7777;
}

export async function exportVersion(repo: DatasetsRepo, input: MethodParsedInput<'data.export'>): Promise<MethodOutput<'data.export'>> {
  const version = await requireVersion(repo, input.versionId);
  const path = resolve(input.path);
  const mode = existingMode(path, input.overwrite);
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { encoding: 'utf8' });
  let records = 0;
  try {
    for await (const record of versionRecords(repo, version.id)) {
      if (!out.write(`${JSON.stringify(toExportRow(record, input.format, path))}\n`)) await once(out, 'drain');
      records += 1;
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    rmSync(partial, { force: true });
    throw err;
  }
  const chain = await lineage(repo, version);
  const dataset = (await repo.byId(version.datasetId))!;
  const files = (await Promise.all(chain.map((v) => repo.files(v.id)))).flat();
  const changes = (await Promise.all(chain.map(async (v) => (await repo.changeCounts(v.id)).map((c) => ({ versionId: v.id, ...c }))))).flat();
  const card = dataCard({ dataset, version, lineage: chain, files, changes, exportFormat: input.format, records, exportedAt: new Date().toISOString() });
  const cardPath = cardPathFor(path);
  writeFileSync(`${cardPath}.partial`, `${CARD_MARK}\n${card}`);
  if (mode !== null) chmodSync(partial, mode);
  if (existsSync(cardPath)) chmodSync(`${cardPath}.partial`, statSync(cardPath).mode & 0o7777);
  renameSync(partial, path);
  renameSync(`${cardPath}.partial`, cardPath);
  return { path, cardPath, records };
}
