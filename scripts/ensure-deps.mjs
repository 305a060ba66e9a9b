#!/usr/bin/env node
// Installs what a fresh clone is missing before `npm test` / `npm start` / `npm run serve` run.
// Offline or on CI the Electron binary and onnxruntime's CUDA provider cannot be downloaded, so those
// downloads are skipped (the app then runs as `npm run serve` in a browser); online, npm does as upstream intends.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHELL_UNAVAILABLE } from './shell-message.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function needsInstall() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  const lock = join(root, 'package-lock.json');
  const manifest = join(root, 'package.json');
  const installedAt = statSync(marker).mtimeMs;
  return [lock, manifest].some((file) => existsSync(file) && statSync(file).mtimeMs > installedAt + 1000);
}

/** Can we reach the host Electron's installer downloads from? A quick HEAD, 4 s at most. */
function canDownloadBinaries() {
  if (process.env.CI === 'true' || process.env.FTSTUDIO_OFFLINE === '1') return Promise.resolve(false);
  const mirror = process.env.ELECTRON_MIRROR ?? 'https://github.com/';
  return new Promise((resolve) => {
    const req = request(mirror, { method: 'HEAD', timeout: 4000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function main() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Finetune Studio needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
    process.exit(1);
  }
  if (!needsInstall()) return;
  const env = { ...process.env };
  if (!(await canDownloadBinaries())) {
    env.ELECTRON_SKIP_BINARY_DOWNLOAD = '1';
    env.ONNXRUNTIME_NODE_INSTALL = 'skip';
    console.log(SHELL_UNAVAILABLE);
  }
  const args = existsSync(join(root, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.log(`Installing dependencies (npm ${args[0]})…`);
  const result = spawnSync('npm', args, { cwd: root, env, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`npm ${args[0]} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

await main();
