// Expands the paths a person gave (files and folders) into the data files to import, in a stable order.
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { DATA_FILE_EXTENSIONS, DataError } from '../formats';

export interface DataFile { path: string; bytes: number }

/** Folders contribute every data file inside (recursively, sorted by path); a given file must be a data file. */
export async function listDataFiles(paths: readonly string[]): Promise<DataFile[]> {
  const out: DataFile[] = [];
  const seen = new Set<string>();
  async function walk(path: string, given: boolean): Promise<void> {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new DataError(`${path}: cannot read it (${err.code === 'ENOENT' ? 'no such file or folder' : err.message})`, { file: path });
    });
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
      for (const name of names) await walk(join(path, name), false);
      return;
    }
    const ext = extname(path).toLowerCase();
    if (!DATA_FILE_EXTENSIONS.includes(ext)) {
      if (given) throw new DataError(`${path}: unsupported data file type "${ext || '(none)'}"; expected ${DATA_FILE_EXTENSIONS.join(', ')}`, { file: path });
      return; // a README or licence file inside a dataset folder is not data
    }
    if (!seen.has(path)) {
      seen.add(path);
      out.push({ path, bytes: info.size });
    }
  }
  for (const p of paths) await walk(resolve(p), true);
  if (out.length === 0) throw new DataError(`${paths.join(', ')}: no data files found (looked for ${DATA_FILE_EXTENSIONS.join(', ')})`, { file: paths[0] });
  return out;
}
