// Starts engine processes as Electron utility processes (the app's launcher); the same seam as jobs/node-launcher.
import { constants } from 'node:os';
import { app, utilityProcess, type Details, type Event, type UtilityProcess } from 'electron';
import type { ToEngine } from '../common/engine-protocol';
import { jobTag, type EngineLauncher, type EngineProcess, type KillSignal, type LaunchOptions } from '../jobs/launcher';

/** 'exit' and 'child-process-gone' arrive in no promised order; this pause lets both (and late messages) land. */
const EXIT_SETTLE_MS = 50;
const CRASH_REASONS = new Set(['crashed', 'killed', 'oom', 'abnormal-exit', 'launch-failed', 'integrity-failure']);

function signalName(code: number): string | null {
  const entry = Object.entries(constants.signals).find(([, n]) => n === code);
  return entry ? entry[0] : null;
}

export class ElectronEngineLauncher implements EngineLauncher {
  private seq = 0;

  /** `entryPath`: the built engine entry, out/main/engine-host.js. */
  constructor(private readonly entryPath: string) {}

  launch(options: LaunchOptions = {}): EngineProcess {
    // A unique service name is how 'child-process-gone' (which carries no pid) is matched to this process.
    const serviceName = `ftstudio-engine-${process.pid}-${++this.seq}`;
    const child = utilityProcess.fork(this.entryPath, options.jobId ? [jobTag(options.jobId)] : [], { serviceName, stdio: 'inherit' });
    return new ElectronEngineProcess(child, serviceName);
  }
}

class ElectronEngineProcess implements EngineProcess {
  private exited = false;
  private killedWith: KillSignal | null = null;
  private gone: Details | null = null;
  private readonly exitCallbacks: ((code: number | null, signal: string | null) => void)[] = [];
  private readonly onGone = (_event: Event, details: Details) => {
    if (details.type === 'Utility' && details.name === this.serviceName) this.gone = details;
  };

  constructor(private readonly child: UtilityProcess, private readonly serviceName: string) {
    app.on('child-process-gone', this.onGone);
    child.on('exit', (code) => setTimeout(() => this.fireExit(code), EXIT_SETTLE_MS));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(msg: ToEngine): void {
    if (this.exited) return;
    try {
      this.child.postMessage(msg);
    } catch {
      // the process is going away; 'exit' reports it
    }
  }

  onMessage(cb: (msg: unknown) => void): void {
    this.child.on('message', (msg: unknown) => cb(msg));
  }

  onExit(cb: (code: number | null, signal: string | null) => void): void {
    this.exitCallbacks.push(cb);
  }

  kill(signal: KillSignal = 'SIGTERM'): void {
    if (this.exited) return;
    this.killedWith = signal;
    try {
      // utilityProcess.kill() only sends SIGTERM; a hard kill goes through the OS.
      if (signal === 'SIGKILL' && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
      else this.child.kill();
    } catch {
      // already gone
    }
  }

  /** On POSIX a signalled process's exit code is the signal number; only the gone-details say which it was. */
  private fireExit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    app.off('child-process-gone', this.onGone);
    let signal: string | null = null;
    if (this.killedWith) signal = this.killedWith;
    else if (this.gone && CRASH_REASONS.has(this.gone.reason) && process.platform !== 'win32') signal = signalName(code);
    for (const cb of this.exitCallbacks) cb(signal ? null : code, signal);
  }
}
