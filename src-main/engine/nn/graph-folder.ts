// Puts checkpoint files beside the .onnx so external-data locations are plain names: hard links where the filesystem
// allows, else a copy (a reflink where the filesystem supports one, which costs no space) with a notice.
//
// ORT resolves external data relative to the .onnx file's folder and refuses paths that leave it;
// Hugging Face cache snapshots are symlinks into ../../blobs, so we resolve them (realpath) and
// hard-link the blob itself. A hard link needs the same filesystem; checkpoints are often many GB, so a copy is
// announced through `onCopy` (and prepare-run warns before the run starts) rather than made silently.

import { constants, copyFileSync, linkSync, lstatSync, mkdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface LinkOptions {
  /** Copy (reflink when possible) where hard-linking fails; default true. false: fail instead. */
  copyFallback?: boolean;
  /** Told of each file copied instead of linked, with why the link failed (e.g. EXDEV). */
  onCopy?: (from: string, to: string, code: string) => void;
}

const LINK_FAILURES = new Set(['EXDEV', 'EPERM', 'EACCES', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function place(real: string, target: string, opts: LinkOptions): void {
  // ORT will not follow a symlink out of the folder, and replacing it would edit someone's model folder.
  if (isSymlink(target)) throw new Error(`${target} is a symlink: write the graph into a folder of its own, not the model's snapshot folder`);
  if (sameFile(real, target)) return;
  try {
    unlinkSync(target); // a stale link from another checkpoint
  } catch {
    // absent: nothing to replace
  }
  try {
    linkSync(real, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!LINK_FAILURES.has(code)) throw err;
    if (opts.copyFallback === false) {
      throw new Error(
        `cannot hard-link ${real} into ${target} (${code}): the graph folder must be on the same filesystem as the model files ` +
          `(or allow a copy)`,
        { cause: err },
      );
    }
    copyFileSync(real, target, constants.COPYFILE_FICLONE);
    opts.onCopy?.(real, target, code);
  }
}

/**
 * Makes each file in `files` available inside `graphDir` and returns file → location (a name
 * relative to graphDir), keyed by both the given path and its realpath. Files keep their own names
 * (`model-00001-of-00002.safetensors`); two different files with one name get a numeric prefix.
 */
export function linkWeightFiles(graphDir: string, files: readonly string[], opts: LinkOptions = {}): Map<string, string> {
  mkdirSync(graphDir, { recursive: true });
  const out = new Map<string, string>();
  const byName = new Map<string, string>(); // location → realpath
  for (const file of files) {
    const real = realpathSync(file);
    let name = basename(file);
    for (let i = 1; byName.has(name) && byName.get(name) !== real; i++) name = `${i}-${basename(file)}`;
    if (!byName.has(name)) {
      byName.set(name, real);
      place(real, join(graphDir, name), opts);
    }
    out.set(file, name);
    out.set(real, name);
  }
  return out;
}
