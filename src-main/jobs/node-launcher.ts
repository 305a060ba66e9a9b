// Starts engine processes with child_process.fork under plain Node (CLI, serve mode, tests).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ToEngine } from '../common/engine-protocol';
import { jobTag, type EngineLauncher, type EngineProcess, type KillSignal, type LaunchOptions } from './launcher';

/** What to fork: a script and the Node flags it needs. */
export interface EngineEntry {
  path: string;
  execArgv: string[];
}

/**
 * Finds the engine entry relative to the calling module: the built `engine-host.js` when we run from a bundle
 * (beside it, or one folder up when the bundler put this code in a chunks/ folder), else the TypeScript source
 * run through tsx. tsx is resolved to an absolute URL so the child does not depend on its working directory.
 */
export function resolveEngineEntry(fromUrl: string = import.meta.url): EngineEntry {
  const here = dirname(fileURLToPath(fromUrl));
  for (const candidate of [join(here, 'engine-host.js'), join(here, '..', 'engine-host.js')]) {
    if (existsSync(candidate)) return { path: candidate, execArgv: [] };
  }
  const source = resolve(here, '../engine/host.ts');
  if (!existsSync(source)) throw new Error(`Cannot find the engine entry: neither engine-host.js beside ${here} nor ${source}.`);
  const tsx = pathToFileURL(createRequire(fromUrl).resolve('tsx')).href;
  return { path: source, execArgv: ['--import', tsx] };
}

export interface NodeLauncherOptions {
  /** Defaults to resolveEngineEntry(). */
  entry?: EngineEntry;
  /** stdout/stderr of the engine; 'inherit' so a native crash message reaches the terminal. */
  stdio?: 'inherit' | 'ignore';
  env?: NodeJS.ProcessEnv;
}

export class NodeLauncher implements EngineLauncher {
  private readonly entry: EngineEntry;

  constructor(private readonly options: NodeLauncherOptions = {}) {
    this.entry = options.entry ?? resolveEngineEntry();
  }

  launch(options: LaunchOptions = {}): EngineProcess {
    const io = this.options.stdio ?? 'inherit';
    const child = fork(this.entry.path, options.jobId ? [jobTag(options.jobId)] : [], {
      // Explicit, so the engine never inherits the parent's flags (vitest's, an inspector port, ...).
      execArgv: this.entry.execArgv,
      env: this.options.env ?? process.env,
      stdio: ['ignore', io, io, 'ipc'],
      serialization: 'json',
    });
    return new NodeEngineProcess(child);
  }
}

class NodeEngineProcess implements EngineProcess {
  private exited = false;
  private readonly exitCallbacks: ((code: number | null, signal: string | null) => void)[] = [];

  constructor(private readonly child: ChildProcess) {
    // 'close' (not 'exit') fires only after the IPC channel is drained too, so no message can trail it.
    child.on('close', (code, signal) => this.fireExit(code, signal));
    child.on('error', () => {
      // A process that never started gets no 'close'; one that did will still get it.
      if (child.pid === undefined) this.fireExit(null, null);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(msg: ToEngine): void {
    if (!this.child.connected) return; // the exit handler reports what happened
    this.child.send(msg, () => undefined);
  }

  onMessage(cb: (msg: unknown) => void): void {
    this.child.on('message', (msg) => cb(msg));
  }

  onExit(cb: (code: number | null, signal: string | null) => void): void {
    this.exitCallbacks.push(cb);
  }

  kill(signal: KillSignal = 'SIGTERM'): void {
    if (this.exited) return;
    try {
      this.child.kill(signal);
    } catch {
      // Already gone: 'close' tells the rest.
    }
  }

  private fireExit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const cb of this.exitCallbacks) cb(code, signal);
  }
}
