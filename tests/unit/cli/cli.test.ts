// The ftstudio CLI: help, argument errors, and `doctor --json` run as a real process through bin/ftstudio.js.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELP, runCli } from '../../../src-main/cli/main';

const ROOT = resolve(__dirname, '../../..');

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('ftstudio', () => {
  it('prints help, as text or JSON', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: HELP, stderr: '' });
    const json = await run(['--help', '--json']);
    expect(JSON.parse(json.stdout).help).toContain('ftstudio doctor');
  });

  it('rejects unknown commands and flags with exit code 2 and a clear message', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/);
    const flag = await run(['doctor', '--bogus', '--json']);
    expect(flag.code).toBe(2);
    expect(JSON.parse(flag.stdout).error.message).toMatch(/bogus/);
    const port = await run(['serve', '--port', 'abc']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be an integer/);
  });

  it('doctor --json lists cpu as a working execution provider with its probed kernels, and the real core count', () => {
    const stdout = execFileSync(process.execPath, [join(ROOT, 'bin/ftstudio.js'), 'doctor', '--json'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, FTSTUDIO_HOME: join(os.tmpdir(), 'ftstudio-doctor-test') }, timeout: 60_000,
    });
    const report = JSON.parse(stdout);
    const cpu = report.onnxruntime.providers.find((p: { name: string }) => p.name === 'cpu');
    expect(cpu).toMatchObject({ name: 'cpu', works: true });
    // ORT's CPU provider: fp16 math runs in fp32 behind inserted casts, no bf16 kernels, fp8 Cast only.
    expect(cpu.kernels).toMatchObject({ fp16: false, bf16: false, fp8: true });
    expect(cpu.kernels.checks).toHaveLength(8);
    expect(report.onnxruntime.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.cpu.logicalCores).toBe(os.cpus().length);
    expect(report.home).toBe(join(os.tmpdir(), 'ftstudio-doctor-test'));
  });

  it('serve fails clearly when the renderer is not built', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/ftstudio.js'), 'serve', '--renderer', '/nonexistent', '--json'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, FTSTUDIO_HOME: join(os.tmpdir(), 'ftstudio-serve-test') }, timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/renderer is not built/);
  });
});
