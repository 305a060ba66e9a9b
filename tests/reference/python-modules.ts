// Whether Debian's /usr/bin/python3 has a module (torch, onnx). Off CI a missing one skips its tests with a message;
// on CI (CI=true) it is an error, so a reference check can never be skipped silently where it must run.
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export function pythonHas(module: 'torch' | 'onnx'): boolean {
  const ok = spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI === 'true') {
    throw new Error(`${PYTHON} cannot import ${module}: CI must install python3-${module} (see .ci/run).`);
  }
  if (!ok) console.warn(`SKIPPING checks against python's ${module}: ${PYTHON} cannot import it.`);
  return ok;
}
