// PyTorch references for optim/: replayed live by /usr/bin/python3 when torch is there, else read from golden files.

import { pythonHas } from '../python-modules';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PY = '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));

export interface PyReference<R> {
  readonly digest: string;
  readonly torch: string;
  readonly results: R[];
}

/** A python reference script, its input key and its committed golden output. */
export interface ReferenceSpec {
  readonly script: string;
  readonly golden: string;
  /** The key the script reads its list from ('scenarios', 'schedules'). */
  readonly key: string;
}

export const OPTIM_REF: ReferenceSpec = { script: join(HERE, 'replay_optim.py'), golden: join(HERE, 'golden-torch.json'), key: 'scenarios' };
export const SCHEDULE_REF: ReferenceSpec = { script: join(HERE, 'schedules_ref.py'), golden: join(HERE, 'golden-schedules.json'), key: 'schedules' };

/** Identifies the exact inputs, so a golden file made from other inputs is refused. */
export function digest(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16);
}

export function hasTorch(): boolean {
  return pythonHas('torch');
}

/** Runs the script over `input` with torch (single-threaded where it matters, fp32). */
export function runReference<R>(spec: ReferenceSpec, input: readonly unknown[]): PyReference<R> {
  const dir = mkdtempSync(join(tmpdir(), 'optim-ref-'));
  try {
    const inFile = join(dir, 'in.json');
    const outFile = join(dir, 'out.json');
    writeFileSync(inFile, JSON.stringify({ digest: digest(input), [spec.key]: input }));
    const r = spawnSync(PY, [spec.script, inFile, outFile], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${spec.script} failed (${r.status}): ${r.stderr}`);
    return JSON.parse(readFileSync(outFile, 'utf8')) as PyReference<R>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The committed torch output; throws when it was made from other inputs than `input`. */
export function goldenReference<R>(spec: ReferenceSpec, input: readonly unknown[]): PyReference<R> {
  const ref = JSON.parse(readFileSync(spec.golden, 'utf8')) as PyReference<R>;
  if (ref.digest !== digest(input)) {
    throw new Error(`${spec.golden} is stale (digest ${ref.digest}, inputs ${digest(input)}): run npx tsx tests/reference/optim/write-golden.ts`);
  }
  return ref;
}

export function writeGolden(spec: ReferenceSpec, input: readonly unknown[]): PyReference<unknown> {
  const ref = runReference<unknown>(spec, input);
  writeFileSync(spec.golden, `${JSON.stringify(ref)}\n`);
  return ref;
}
