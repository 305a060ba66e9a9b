// Where the app keeps its data outside Electron: $FTSTUDIO_HOME, else the OS's per-user data folder.
import os from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'finetune-studio';

export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.FTSTUDIO_HOME) return env.FTSTUDIO_HOME;
  const home = os.homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), APP_DIR_NAME);
}

/** The files inside a home folder. */
export function homeLayout(home: string) {
  return { database: join(home, 'studio.duckdb'), runs: join(home, 'runs') };
}
