// vitest globalSetup: asks Debian's /usr/bin/python3 once which optional reference modules it has, prints one line for
// what is missing, and hands the answer to every test worker (python-modules.ts reads it instead of asking again).
import { spawnSync } from 'node:child_process';
import { PYTHON, REFERENCE_MODULES, moduleEnv } from './python-modules';

export default function setup(): void {
  const missing: string[] = [];
  for (const module of REFERENCE_MODULES) {
    const ok = spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
    process.env[moduleEnv(module)] = ok ? '1' : '0';
    if (!ok) missing.push(module);
  }
  if (missing.length === 0) return;
  if (process.env.CI === 'true') {
    throw new Error(`${PYTHON} cannot import ${missing.join(', ')}: CI must install ${missing.map((m) => `python3-${m}`).join(' ')} (see .ci/run).`);
  }
  console.warn(`SKIPPING the checks against python's ${missing.join(' and ')}: ${PYTHON} cannot import them (install ${missing.map((m) => `python3-${m}`).join(' ')}; on CI they must run).`);
}
