// `ftstudio export`: a training run's adapter merged into its base model, written as a new Hugging Face folder.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mergeAdapter } from '../../models/merge';
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

export async function exportModel(ctx: CliContext, values: FlagValues): Promise<number> {
  const outDir = requiredPath(values, 'merged', 'the folder to write the merged model to');
  const { baseDir, adapterDir } = sources(values);
  const summary = mergeAdapter({ baseDir, adapterDir, outDir });
  printResult(ctx, { merged_dir: summary.outDir, base_model: baseDir, adapter_dir: adapterDir, modules: summary.modules.length, dtypes: summary.dtypes, files: summary.files },
    () => `Merged ${summary.modules.length} modules (${summary.dtypes.join(', ')}) of ${adapterDir} into ${baseDir}\nWrote ${summary.outDir}: ${summary.files.join(', ')}`);
  return 0;
}
