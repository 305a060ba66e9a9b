#!/usr/bin/env node
// Flips the Electron fuses of a packaged Finetune Studio (before code signing), then reads them back.
//   node scripts/set-fuses.mjs <packaged Electron executable or .app> [--asar]
// Always: no ELECTRON_RUN_AS_NODE, cookies encrypted, no NODE_OPTIONS, no --inspect, and no extra privileges for
// file:// (the app loads app://renderer/). With --asar, for an app packaged as resources/app.asar whose packager embeds
// the ASAR integrity hash (macOS, Windows): validate that hash and load the app from the ASAR only.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';

/** The fuse settings, by FuseV1Options index; the two ASAR ones only when the app is an ASAR. */
export function fuseSettings({ asar }) {
  return {
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    ...(asar ? { [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true, [FuseV1Options.OnlyLoadAppFromAsar]: true } : {}),
  };
}

/** Where the packaged app's app.asar would be: Contents/Resources on macOS, resources/ beside the executable elsewhere. */
export function asarPathFor(target) {
  const app = target.includes('.app') ? `${target.split('.app')[0]}.app` : null;
  return app ? join(app, 'Contents', 'Resources', 'app.asar') : join(dirname(target), 'resources', 'app.asar');
}

const ENABLE = 49; // '1' in the fuse wire; '0' (48) is disabled

/** Sets the fuses and checks each one in the file afterwards; returns the names and states that were read back. */
export async function setFuses(target, { asar }) {
  const settings = fuseSettings({ asar });
  await flipFuses(target, {
    version: FuseVersion.V1,
    // An arm64 macOS app must carry a signature: re-sign ad hoc here; sign it properly after this step.
    resetAdHocDarwinSignature: process.platform === 'darwin' && target.includes('.app'),
    ...settings,
  });
  const wire = await getCurrentFuseWire(target);
  return Object.entries(settings).map(([index, wanted]) => {
    const actual = wire[index] === ENABLE;
    if (actual !== wanted) throw new Error(`Fuse ${FuseV1Options[index]} reads ${actual} after flipping, expected ${wanted}.`);
    return { fuse: FuseV1Options[index], enabled: actual };
  });
}

async function main(argv) {
  const asar = argv.includes('--asar');
  const paths = argv.filter((arg) => !arg.startsWith('--'));
  if (paths.length !== 1) {
    console.error('Usage: node scripts/set-fuses.mjs <packaged Electron executable or .app> [--asar]');
    return 2;
  }
  const target = resolve(paths[0]);
  if (!existsSync(target)) {
    console.error(`No such file: ${target}`);
    return 1;
  }
  const asarPath = asarPathFor(target);
  if (asar && !existsSync(asarPath)) {
    console.error(`--asar: no ${asarPath}. OnlyLoadAppFromAsar would stop an app without one from starting.`);
    return 1;
  }
  if (!asar && existsSync(asarPath)) console.log(`Found ${asarPath}: add --asar if the packager embedded its integrity hash.`);
  try {
    for (const { fuse, enabled } of await setFuses(target, { asar })) console.log(`${fuse}: ${enabled ? 'on' : 'off'}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
