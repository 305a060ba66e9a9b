// `ftstudio export`: a training run's adapter merged into its base model, written as a new Hugging Face folder.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mergeAdapter, type RemovedPartial } from '../../models/merge';
import { readRunInfo } from '../../services/train';
import { CliError, printResult, type CliContext } from '../output';
import { requiredPath } from './eval';
import type { FlagValues } from './train';

export const EXPORT_OPTIONS = { run: { type: 'string' }, merged: { type: 'string' }, model: { type: 'string' }, adapter: { type: 'string' } } as const;

/** The base model and adapter: from --run OUT (its run.json and OUT/adapter), each overridable by --model / --adapter. */
function sources(values: FlagValues): { baseDir: string; adapterDir: string } {
  const run = typeof values.run === 'string' ? resolve(values.run) : null;
  if (!run && (typeof values.model !== 'string' || typeof values.adapter !== 'string')) {
    throw new CliError('export needs --run OUT (a training run folder), or both --model DIR and --adapter DIR.', 2);
  }
  const baseDir = typeof values.model === 'string' ? resolve(values.model) : readRunInfo(run!, 'export').params.modelDir;
  const adapterDir = typeof values.adapter === 'string' ? resolve(values.adapter) : join(run!, 'adapter');
  if (!existsSync(adapterDir)) {
    throw new CliError(`${run} has no adapter/ yet: the run has not finished. Continue it with \`ftstudio train --resume ${run}\`, or export a checkpoint's adapter with --adapter.`);
  }
  return { baseDir, adapterDir };
}

function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1e3)} kB`;
}

/** One line for the temporary folders of killed exports that this export removed. */
export function removedLine(removed: RemovedPartial[]): string {
  const total = removed.reduce((sum, r) => sum + r.bytes, 0);
  const what = removed.map((r) => `${r.path} (process ${r.pid} is gone)`).join(', ');
  const count = removed.length === 1 ? 'the unfinished folder of an earlier export that was killed' : `${removed.length} unfinished folders of earlier exports that were killed`;
  return `Removed ${count} (${size(total)}): ${what}`;
}

export async function exportModel(ctx: CliContext, values: FlagValues): Promise<number> {
  const outDir = requiredPath(values, 'merged', 'the folder to write the merged model to');
  const { baseDir, adapterDir } = sources(values);
  const summary = mergeAdapter({ baseDir, adapterDir, outDir });
  const removed = summary.removedPartials;
  printResult(ctx, {
    merged_dir: summary.outDir, base_model: baseDir, adapter_dir: adapterDir, modules: summary.modules.length, dtypes: summary.dtypes, files: summary.files,
    removed_partials: removed.map((r) => ({ path: r.path, pid: r.pid, bytes: r.bytes })),
  }, () => [
    `Merged ${summary.modules.length} modules (${summary.dtypes.join(', ')}) of ${adapterDir} into ${baseDir}`,
    `Wrote ${summary.outDir}: ${summary.files.join(', ')}`,
    ...(removed.length > 0 ? [removedLine(removed)] : []),
  ].join('\n'));
  return 0;
}
