// Whether Debian's /usr/bin/python3 has a module (torch, onnx). python-setup.ts asks once per test run and prints one
// line for what is missing (off CI the checks that need it skip; on CI it is an error, so a reference check can never
// be skipped silently where it must run); outside that setup (a bench, a single file) each process asks for itself.
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';
export const REFERENCE_MODULES = ['torch', 'onnx'] as const;
export type ReferenceModule = (typeof REFERENCE_MODULES)[number];

export function moduleEnv(module: ReferenceModule): string {
  return `FTSTUDIO_PYTHON_HAS_${module.toUpperCase()}`;
}

export function pythonHas(module: ReferenceModule): boolean {
  const known = process.env[moduleEnv(module)];
  if (known !== undefined) return known === '1';
  const ok = spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI === 'true') {
    throw new Error(`${PYTHON} cannot import ${module}: CI must install python3-${module} (see .ci/run).`);
  }
  if (!ok) console.warn(`SKIPPING checks against python's ${module}: ${PYTHON} cannot import it.`);
  process.env[moduleEnv(module)] = ok ? '1' : '0';
  return ok;
}
